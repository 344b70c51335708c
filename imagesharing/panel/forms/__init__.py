"""The panel's forms. They parse what a person typed; the model methods decide."""
