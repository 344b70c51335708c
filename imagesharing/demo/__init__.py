"""Demo data for `make run` (the seed_demo command), made through the model methods like any real use."""
