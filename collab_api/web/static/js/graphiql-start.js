// Starts GraphiQL against this server's /graphql, adding the token field's value as a bearer token.
(function () {
  var field = document.getElementById('token');
  field.value = window.sessionStorage.getItem('collab-token') || '';
  field.addEventListener('change', function () { window.sessionStorage.setItem('collab-token', field.value.trim()); });
  var fetcher = GraphiQL.createFetcher({
    url: window.location.pathname,
    fetch: function (url, options) {
      var token = field.value.trim();
      options = options || {};
      options.headers = Object.assign({}, options.headers || {}, token ? { Authorization: 'Bearer ' + token } : {});
      return window.fetch(url, options);
    }
  });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultEditorToolbarOpen: true })
  );
})();
