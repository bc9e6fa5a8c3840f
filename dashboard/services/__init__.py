"""Services: the one place where a user action is orchestrated (read files → check → one write
transaction). The CLI and the pages both call these functions; neither writes to the store itself.

Setting up a city is a sequence of steps, each a service here and each usable again later:
``cities.add_municipality`` (outline) → ``towns.import_towns`` (町丁目) → ``population.import_population``
→ ``areas.import_areas`` (日常生活圏域) → ``venues.import_venues`` (候補会場) → ``places.import_places``.
``setup.checklist`` says which steps a city has done and what each page still lacks. The 蕨市 demo
(``dashboard.demo.build``) is built through the same steps.

Every step has an ``apply_*`` form that works inside a caller's session (so the demo build is one
transaction) and a public form that opens its own write transaction. Each step reads and checks
everything before it writes; on any problem it raises :class:`dashboard.errors.InputError` and, the
transaction being rolled back, the store is unchanged.
"""
