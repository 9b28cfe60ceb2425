# syntax=docker/dockerfile:1
#
# The documentation site (runbook/) in the MkDocs Material image, so that a
# pulled image serves the docs without a checkout beside it.
#
# The build context is the repository root:
#   docker build -f compose/docs.Dockerfile -t billtracker-docs .

# Keep this tag equal to mkdocs-material in runbook/requirements.txt.
FROM squidfunk/mkdocs-material:9.8.2

COPY runbook/ /docs/

EXPOSE 8000
