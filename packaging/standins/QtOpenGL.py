"""Stand-in for PySide6.QtOpenGL in the frozen app, whose 9 MB OpenGL bindings stay out.

pyqtgraph imports QtOpenGL (and QtOpenGLWidgets) when its plot items load, but draws with
OpenGL only when asked to (`useOpenGL` / `enableExperimental`), which the app never does.
Any use of this module says so instead of drawing.
"""


def __getattr__(name: str) -> object:
    raise AttributeError(f"PySide6.QtOpenGL.{name}: OpenGL drawing is not part of this app")
