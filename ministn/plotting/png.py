"""Writing a figure: a PNG, written atomically, and the figure closed afterwards."""
import matplotlib.pyplot as plt

from ..files import write_atomically


def save_png(fig, path, dpi=110):
    """fig as a PNG at ``path`` (replaced whole or not at all); closes fig."""
    try:
        with write_atomically(path, what="figure") as f:
            fig.savefig(f, format="png", dpi=dpi)
    finally:
        plt.close(fig)
