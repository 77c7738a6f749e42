"""Roles and rules: the casbin model, the role → permission table, and the regulation's rule
catalogue. Depends on nothing above it."""
