"""Case files rendered to HTML and PDF (WeasyPrint) with Persian text right to left and dates in both calendars.

- :func:`dadkhah.dossier.person.person_dossier` — the perpetrator dossier;
- :func:`dadkhah.dossier.victim.victim_file`, :func:`dadkhah.dossier.site.site_file`;
- :func:`dadkhah.dossier.report.case_report` — documented counts beside the estimate, contested claims,
  timeline;
- :func:`dadkhah.dossier.render.write` (``template, context, out``) — ``.pdf`` or ``.html``.

Each builder takes an audience (``internal``, ``prosecutor``, ``restricted``, ``public``) and returns
the template context. See docs/casework.md.
"""
