"""Renderers: text summaries now; HTML and Mermaid reports later."""
