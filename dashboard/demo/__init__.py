"""The bundled 蕨市 demo: build a store from the real open data in ``data/`` plus labelled samples."""
