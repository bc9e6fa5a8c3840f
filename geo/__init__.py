"""Pure geospatial functions for Tsudoi (no Streamlit, no I/O, no database).

Conventions: geographic coordinates are WGS84/JGD2011 longitude–latitude (EPSG:4326 is
used for storage and exchange); every distance or area is computed in a projected CRS
chosen by :func:`geo.crs.projected_crs` and carries its unit in its name (``distance_m``,
``area_m2``).
"""
