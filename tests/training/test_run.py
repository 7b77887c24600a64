"""fit, the quick API of the lessons: the same history as the train command."""
from ministn import manual_seed
from ministn.data import BUNDLED_DIR, load_mnist
from ministn.models import build
from ministn.training import fit

from tiny_runs import TIMING, metrics


def test_fit_is_the_quick_api_for_lessons_and_matches_the_command(reference_run):
    mnist = load_mnist(BUNDLED_DIR, train_size=192, test_size=100)
    manual_seed(0)
    history = fit(build("tutorial"), mnist, distortion="R", epochs=2, batch_size=32,
                  progress=False, log=lambda *a: None)
    assert [{k: v for k, v in r.items() if k not in TIMING} for r in history] == metrics(reference_run)
