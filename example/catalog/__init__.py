"""The catalog app: products grouped in categories."""
