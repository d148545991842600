"""The thin Qt layer: controller on a QThread, widgets."""
