"""train and show with the new models: a feature-map transformer, constrained transforms."""
from ministn.cli import main

QUICK = ["--epochs", "1", "--train-size", "64", "--test-size", "50", "--no-progress"]


def test_a_feature_map_transformer_trains_and_show_says_why_it_draws_nothing(tmp_path, capsys):
    out = tmp_path / "mid"
    assert main(["train", "--model", "small-st-feature", "--distortion", "RTS", "--out",
                 str(out)] + QUICK) == 0
    assert (out / "curves.png").is_file() and not (out / "transform.png").exists()
    capsys.readouterr()
    assert main(["show", "--checkpoint", str(out / "checkpoint.npz")]) == 2
    err = capsys.readouterr().err
    assert err == ("error: model 'small-st-feature' warps its feature maps, not its input: "
                   "there are no warped digits to show\n")


def test_constrained_transforms_train_in_the_paper_models(tmp_path):
    for transform in ("attention", "rotation-scale-translation"):
        out = tmp_path / transform
        assert main(["train", "--model", "st-cnn", "--transform", transform, "--distortion",
                     "RTS", "--out", str(out)] + QUICK) == 0
        assert (out / "transform.png").stat().st_size > 0
