"""Topology diagrams of a Plan: Mermaid always, PNG/SVG through graphviz when installed."""
