"""The web pages: server-rendered with Jinja2 and the NHS.UK frontend, for people who will
never write GraphQL. Every page gets its data by running a GraphQL document (kept beside its
template) in-process as the signed-in person, so the API's rules hold on the pages too."""
