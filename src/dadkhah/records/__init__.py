"""Registering the people, organisations, places, events and sources of a case, and their relations.

The functions here are the service core that the CLI, the web app and importers call; each
validates its input (vocabulary terms, dates, references) and raises
:class:`dadkhah.errors.InputError` naming the field.
"""

import dadkhah.records.indexing  # noqa: F401  (registers the search indexers)
from dadkhah.records.service import (
    add_event,
    add_membership,
    add_name,
    add_organization,
    add_participation,
    add_person,
    add_place,
    add_source,
    entity_to_dict,
    get_entity,
    list_entities,
)

__all__ = ["add_event", "add_membership", "add_name", "add_organization", "add_participation", "add_person",
           "add_place", "add_source", "entity_to_dict", "get_entity", "list_entities"]
