"""Printed documents (certificates now, fee statements later): A4 PDFs in Chinese, with the
CJK font embedded as a subset of the glyphs used, so any reader shows them as printed."""
