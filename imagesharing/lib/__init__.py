"""Helpers below every app: parsers of outside values and the operators' admin kit."""
