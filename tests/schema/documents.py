"""The documents clients send most, as the benchmark sends them (`bench/run.py`)."""

COMMUNITY_PAGE = """
query ($slug: String!) { community(slug: $slug) {
  name members(first: 15) { edges { node { role unit { name } } } }
  activities(first: 20, newestFirst: true) { edges { node { title heldOn attendedCount absentCount } } }
  reports(first: 1) { edges { node { kind submittedOn } } }
  findings(status: OPEN, first: 20) { edges { node { rule message } } }
} }"""
