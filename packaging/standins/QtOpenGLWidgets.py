"""Stand-in for PySide6.QtOpenGLWidgets in the frozen app (see QtOpenGL.py beside it).

pyqtgraph subclasses QOpenGLWidget when it loads; creating one says OpenGL is not here.
"""

from PySide6.QtWidgets import QWidget


class QOpenGLWidget(QWidget):
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise RuntimeError("QOpenGLWidget: OpenGL drawing is not part of this app")
