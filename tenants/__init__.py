"""The community as tenant: which one a request is for, and scoping to it."""
