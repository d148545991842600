"""The Qt-free core: probe, plan, commands, pipe, processes, manifests, cache, server.

Nothing in this package imports Qt; tests import it without a display.
"""
