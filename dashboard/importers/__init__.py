"""Importers of real municipal and government formats. Each reads a file into plain frames and
raises :class:`dashboard.errors.InputError` naming file, row and column on bad input; writing to
the store is done by :mod:`dashboard.store.writes`, in one transaction."""
