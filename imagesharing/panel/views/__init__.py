"""The panel's pages, one module per area; each view parses, calls a model method and renders."""
