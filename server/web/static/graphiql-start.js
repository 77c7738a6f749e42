// GraphiQL on the endpoint that served this page (/graphql or a sub-platform's
// /c/{slug}/graphql), over HTTP and graphql-transport-ws, with every file served by gongxue.
(function () {
  "use strict";
  var url = window.location.href.split("?")[0].split("#")[0];
  var socket = new URL(url);
  socket.protocol = socket.protocol === "https:" ? "wss:" : "ws:";
  var fetcher = GraphiQL.createFetcher({ url: url, subscriptionUrl: socket.toString() });
  var example = "# 共学开放接口：试试全国共同体名录\n{\n  communities(first: 5) {\n    totalCount\n    edges { node { name regionLabel levelLabel memberCount } }\n  }\n}\n";
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, {
    fetcher: fetcher,
    defaultQuery: example,
    defaultEditorToolsVisibility: true,
    shouldPersistHeaders: false
  }));
})();
