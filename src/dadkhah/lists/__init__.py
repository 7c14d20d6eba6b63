"""Victim lists: import CSV, XLSX and JSON lists of the dead as Sources, row by row, as written.

- :mod:`dadkhah.lists.mapping` — mapping files (canonical field → column header) and proposals from headers;
- :mod:`dadkhah.lists.readers` — reading the files, with each row's line and 1-based data row;
- :mod:`dadkhah.lists.rows` — one row → canonical fields (names split, dates in every form), or why not;
- :mod:`dadkhah.lists.importer` — :func:`~dadkhah.lists.importer.import_list` (revisions, history, bad rows);
- :mod:`dadkhah.lists.service` — reading lists and records through the caller's principal;
- :mod:`dadkhah.lists.tables` — the tables of lists *and* linkage (one migration branch, ``lists``);
- :mod:`dadkhah.lists.commands` — ``dadkhah lists …`` (``dadkhah link …`` is in :mod:`dadkhah.linkage.commands`).

See docs/linkage.md.
"""
