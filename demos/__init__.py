"""The demo apps (static pages and their samples), shipped inside webedge's wheel as `webedge.demos`.

pyproject.toml maps this folder to that package; `webedge demo NAME -o DIR` (webedge/demo_apps.py)
builds one into DIR. Nothing here is Python but this file: each app is demos/<name>/ with its own
README.md, and demos/shared/ holds the page code they share.
"""
