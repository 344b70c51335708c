"""The operators' console: Django admin over every app's models, acting through the same model methods."""
