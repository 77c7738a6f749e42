"""The web pages: the main platform (总平台) and each community's sub-platform (分平台).

Server-rendered HTML whose data comes from GraphQL documents executed in-process with the
visitor's identity (`execution.Execute`, handed in by the composition root), so the pages
hold no permission, tenancy or read of their own: the API's are theirs."""
