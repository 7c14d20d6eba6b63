"""The public memorial: a static, offline-searchable site with one page per cleared victim.

- :mod:`dadkhah.publish.clearance` — ``clear`` / ``withdraw`` a victim's record, ``cleared_victims``;
- :mod:`dadkhah.publish.memorial` — what a page says, read only as the ``public`` audience;
- :mod:`dadkhah.publish.site` — ``build_site(session, out)``;
- :mod:`dadkhah.publish.searchkeys` — the cross-script search keys shared with ``static/memorial.js``.

See docs/casework.md.
"""
