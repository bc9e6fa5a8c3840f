"""つどいマップ (Tsudoi): community resources, walking coverage and needs surveys for 生活支援体制整備事業.

Layers (imports run one way): ``pages/`` → ``dashboard.ui`` → ``dashboard`` (domain, store,
importers, exports, CLI) → ``geo``. Only ``pages/`` and ``dashboard.ui`` import Streamlit.
"""

__version__ = "0.1.0"
