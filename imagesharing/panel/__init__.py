"""The control panel: server-rendered pages for tenants, enhanced by htmx.

Thin over the model methods: `http` (the signed-in tenant, refusals as answers),
`rendering` (page or fragment), `paging` (keyset pages), `gates` (one per object
kind), `regions`, `links` and `answering` (what a table row shows, worked out once
per row), then `forms` and `views`.
"""
