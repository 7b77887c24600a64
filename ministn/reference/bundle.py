"""The bundle of edge cases: ``python -m ministn reference cases DIR`` (docs/reference.md).

    for case in EDGE_CASES: case.name, case.op, case.probes, case.sources, case.build()
    write_cases("edge_cases")        # NAME.npz per case and README.md; force=True to replace

Each case is a named ``.npz`` file that ``python -m ministn reference OP --in`` and ``reference
check OP --case`` read as they are; README.md lists what each probes and the public bug reports
or discussions it stems from. The lists below are the bundle: one line adds or removes a case.
"""
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..files import FileError, check_writable_folder, write_atomically
from .edge_cases import AROUND_ONE, FAR, affine, empty, huge, sampled, scattered, with_infinities

PT = "https://github.com/pytorch/pytorch/"
ROUNDING = (PT + "pull/97000", "https://github.com/PaddlePaddle/Paddle/pull/27657",
            "https://github.com/onnx/onnx/pull/4089")
BORDER_GRADIENT = (PT + "issues/23925", PT + "pull/32829")
OUTSIDE = (PT + "issues/149013", "https://github.com/nerfstudio-project/nerfstudio/issues/135",
           "https://github.com/microsoft/onnxruntime/pull/10628")
REFLECTION = (PT + "issues/63559", PT + "pull/10051",
              "https://github.com/antimora/burn-flex/issues/29")
HUGE_VALUES = (PT + "pull/35506", PT + "issues/51911", PT + "issues/42616",
               "https://github.com/microsoft/onnxruntime/pull/27975")
UNIT_AXIS = (PT + "issues/15386", PT + "issues/42625")
NONFINITE = (PT + "issues/24823", "https://github.com/roboflow/rf-detr/pull/1432",
             PT + "pull/194787")
HUGE_LIMIT = {"zeros": "1e30", "border": "1e30",
              "reflection": "1e10 (1e30 is left out: folded, it lands where the fold's formula "
                            "decides; section 10.4 of spatial-semantics.md)"}
EMPTY = ("https://github.com/kornia/kornia/pull/4354", PT + "issues/12013")
ALIGNMENT = (PT + "issues/20785", PT + "pull/23923")
AXIS_ORDER = (PT + "issues/5565", PT + "issues/41528")
BICUBIC = ("https://github.com/microsoft/onnxruntime/issues/10607",
           "https://github.com/microsoft/onnxruntime/issues/28090", PT + "pull/44780")


@dataclass(frozen=True)
class EdgeCase:
    name: str            # the file is NAME.npz
    op: str              # grid_sample or affine_grid
    probes: str          # what it probes, one sentence
    sources: tuple       # public bug reports and discussions it stems from
    build: object        # () -> the case dict

    def command(self, folder="DIR"):
        return (f"python -m ministn reference {self.op} --in {folder}/{self.name}.npz "
                f"--out result.npz")


def _gs(name, probes, sources, build):
    return EdgeCase(name, "grid_sample", probes, sources, build)


def _sweep(modes, dims):
    """One case per mode x padding x align_corners: random points, non-square, resized."""
    sizes, out = {2: ((5, 6), (3, 4)), 3: ((3, 4, 5), (2, 3, 2))}[dims]
    prefix = "grid_sample" if dims == 2 else "grid_sample_3d"
    return [_gs(f"{prefix}_{mode}_{padding}_ac{int(ac)}",
                f"{mode}, {padding} padding, align_corners={ac}: random points in [-1.3, 1.3] on "
                f"a {'x'.join(map(str, sizes))} input, output {'x'.join(map(str, out))}", (),
                lambda s=k, m=mode, p=padding, a=ac: scattered(s, sizes, out, m, p, a))
            for k, (mode, padding, ac) in enumerate(
                (m, p, a) for m in modes for p in ("zeros", "border", "reflection")
                for a in (False, True))]


CASES_2D = [
    _gs("grid_sample_nearest_ties", "nearest, zeros: x and y at k + 1/2 (incl. -1/2 and n - 1/2); "
        "round half to even, as PyTorch's nearbyint", ROUNDING,
        lambda: sampled(1, (4, 8), "nearest", "zeros", False,
                        at=[[-1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 6.5, 7.5],
                            [-0.5, 0.5, 1.5, 2.5, 3.5]])),
    _gs("grid_sample_nearest_ties_border_ac1", "nearest, border, align_corners=True: ties inside, "
        "on the edge and clipped", ROUNDING,
        lambda: sampled(2, (5, 9), "nearest", "border", True,
                        at=[[-0.5, 0.5, 1.5, 2.5, 7.5, 8.5], [0.5, 1.5, 3.5, 4.5]])),
    _gs("grid_sample_nearest_ties_reflection", "nearest, reflection: ties folded back into the "
        "image", ROUNDING + REFLECTION,
        lambda: sampled(3, (4, 8), "nearest", "reflection", False,
                        at=[[-1.5, -0.5, 0.5, 2.5, 8.5, 9.5], [-1.5, 0.5, 4.5]])),
    _gs("grid_sample_integer_pixels_zeros", "bilinear, zeros: every point on an integer pixel "
        "coordinate, incl. 0, n - 1 and just outside (the one-sided derivative)", BORDER_GRADIENT,
        lambda: sampled(4, (4, 8), "bilinear", "zeros", False,
                        at=[[-1, 0, 1, 2, 6, 7, 8], [-1, 0, 1, 3, 4]])),
    _gs("grid_sample_integer_pixels_border_ac1", "bilinear, border, align_corners=True: integer "
        "coordinates on the clip boundary 0 and n - 1, where the derivative is 0", BORDER_GRADIENT,
        lambda: sampled(5, (5, 9), "bilinear", "border", True,
                        at=[[-1, 0, 1, 4, 8, 9], [-1, 0, 2, 4, 5]])),
    _gs("grid_sample_integer_pixels_reflection", "bilinear, reflection: integer coordinates "
        "outside, folded onto pixels and onto the mirror planes", BORDER_GRADIENT + REFLECTION,
        lambda: sampled(6, (4, 8), "bilinear", "reflection", False,
                        at=[[-2, -1, 0, 3, 7, 8, 9], [-1, 0, 3, 4]])),
    *[_gs(f"grid_sample_at_plus_minus_one_{padding}_ac{int(ac)}", f"bilinear, {padding}: grid "
          f"values -1, +1, one ulp and 1e-6 inside and outside them", BORDER_GRADIENT + OUTSIDE,
          lambda s=k, p=padding, a=ac: sampled(10 + s, (5, 6), "bilinear", p, a,
                                              values=[AROUND_ONE, AROUND_ONE]))
      for k, (padding, ac) in enumerate([("zeros", False), ("border", True),
                                         ("reflection", False), ("reflection", True)])],
    *[_gs(f"grid_sample_reflection_far_ac{int(ac)}", "bilinear, reflection: grid values far "
          "outside, -7.25 to 1000.3 incl. +-3.5 and +-3 (folded many times, onto mirror planes)",
          REFLECTION + HUGE_VALUES,
          lambda a=ac: sampled(20 + a, (4, 5), "bilinear", "reflection", a, values=[FAR, FAR[::3]]))
      for ac in (False, True)],
    *[_gs(f"grid_sample_huge_{mode}_{padding}", f"{mode}, {padding}: grid values at +-2^31 "
          f"(index overflow in int32 kernels) and up to {HUGE_LIMIT[padding]}",
          HUGE_VALUES,
          lambda s=k, m=mode, p=padding: sampled(30 + s, (4, 5), m, p, False,
                                                values=[huge(p), [-huge(p)[0], 0.2, huge(p)[0]]]))
      for k, (mode, padding) in enumerate([("bilinear", "zeros"), ("bilinear", "border"),
                                           ("bilinear", "reflection"), ("nearest", "reflection")])],
    _gs("grid_sample_height_one_ac1", "bilinear, zeros, align_corners=True on a 1 x 5 image: y "
        "has scale 0, so y = 30 still reads row 0", UNIT_AXIS,
        lambda: sampled(40, (1, 5), "bilinear", "zeros", True,
                        values=[[-1, -0.5, 0.3, 1], [-30, -1, 0, 1, 30]])),
    _gs("grid_sample_width_one_border", "bilinear, border, align_corners=False on a 4 x 1 image",
        UNIT_AXIS, lambda: sampled(41, (4, 1), "bilinear", "border", False,
                                   values=[[-3, -1, 0, 0.5, 1, 3], [-1, -0.3, 0.6, 1.5]])),
    *[_gs(f"grid_sample_single_pixel_{padding}_ac1", f"bilinear, {padding}, align_corners=True "
          f"on a 1 x 1 image: every point maps to the one pixel", UNIT_AXIS,
          lambda s=k, p=padding: sampled(42 + s, (1, 1), "bilinear", p, True,
                                        values=[[-5, -1, 0, 1, 5], [-5, 0, 5]]))
      for k, padding in enumerate(("zeros", "reflection"))],
    _gs("grid_sample_inf_dropped_taps", "bilinear, zeros: inf in column 0 and -inf in the last "
        "row, read only by taps that zero padding drops (the output is 0, not 0 x inf = NaN)", NONFINITE,
        lambda: with_infinities(sampled(50, (4, 6), "bilinear", "zeros", False,
                                        at=[[-1.75, -1.25, 2.5, 3.25], [0.5, 1.25, 4.25, 4.75]]),
                                [np.s_[:, :, :, 0], np.s_[:, :, 3, :]])),
    _gs("grid_sample_nearest_inf_dropped_taps", "nearest, zeros: as above for the one nearest tap",
        NONFINITE,
        lambda: with_infinities(sampled(51, (4, 6), "nearest", "zeros", False,
                                        at=[[-1.75, -1.25, 2.5, 3.25], [0.5, 1.25, 4.25, 4.75]]),
                                [np.s_[:, :, :, 0], np.s_[:, :, 3, :]])),
    _gs("grid_sample_non_square_resize", "bilinear, reflection: a 3 x 7 input read into a 5 x 2 "
        "output (x pairs with W, y with H; output size differs from input size)",
        AXIS_ORDER + ALIGNMENT,
        lambda: scattered(60, (3, 7), (5, 2), "bilinear", "reflection", False, spread=1.2)),
    *_sweep(("bilinear", "nearest"), 2),
    *[EdgeCase(f"affine_grid_ac{int(ac)}", "affine_grid", f"a rotation, shear and shift on a "
               f"non-square 5 x 7 output, align_corners={ac}", ALIGNMENT,
               lambda a=ac: affine(70 + a, (2, 3, 5, 7), a)) for ac in (False, True)],
]

CASES_BICUBIC = [
    *_sweep(("bicubic",), 2),
    _gs("grid_sample_bicubic_border_near_edge", "bicubic, border: points just inside and outside "
        "the edge; each of the 16 taps is clipped on its own, not the point", BICUBIC,
        lambda: sampled(80, (4, 8), "bicubic", "border", False,
                        values=[[-1.2, -1.05, -1, -0.95, 0.3, 0.95, 1, 1.05, 1.2],
                                [-1.1, -0.95, 0.2, 0.95, 1.1]])),
    _gs("grid_sample_bicubic_integer_pixels_reflection", "bicubic, reflection: integer pixel "
        "coordinates inside and outside (taps of weight 0, reflected taps)", BICUBIC + REFLECTION,
        lambda: sampled(81, (4, 8), "bicubic", "reflection", False,
                        at=[[-2, -1, 0, 1, 3, 7, 8, 9], [-1, 0, 2, 3, 4]])),
    _gs("grid_sample_bicubic_reflection_far_ac1", "bicubic, reflection, align_corners=True: grid "
        "values far outside, incl. +-3.5", BICUBIC + REFLECTION,
        lambda: sampled(82, (4, 5), "bicubic", "reflection", True, values=[FAR, FAR[::3]])),
    _gs("grid_sample_bicubic_height_one", "bicubic, border on a 1 x 6 image: every row tap is "
        "clipped onto the one row", BICUBIC + UNIT_AXIS,
        lambda: sampled(83, (1, 6), "bicubic", "border", False,
                        values=[[-1.1, -0.4, 0.3, 1.2], [-3, -0.5, 0, 0.7]])),
    _gs("grid_sample_bicubic_inf_dropped_taps", "bicubic, zeros: inf in column 0 and -inf in the "
        "last row, read only by taps that zero padding drops", BICUBIC + NONFINITE,
        lambda: with_infinities(sampled(84, (4, 6), "bicubic", "zeros", False,
                                        at=[[-2.75, -2.25, 2.5], [-0.25, 0.5, 5.25, 5.75]]),
                                [np.s_[:, :, :, 0], np.s_[:, :, 3, :]])),
]

CASES_3D = [
    *_sweep(("bilinear", "nearest"), 3),
    _gs("grid_sample_3d_integer_voxels_border_ac1", "trilinear, border, align_corners=True: "
        "points on integer voxel coordinates, incl. the clip boundaries",
        BORDER_GRADIENT + AXIS_ORDER,
        lambda: sampled(90, (3, 5, 9), "bilinear", "border", True,
                        at=[[-1, 0, 4, 8, 9], [0, 2, 4], [0, 1, 2, 3]])),
    _gs("grid_sample_3d_nearest_ties", "nearest, zeros on a 2 x 4 x 8 volume: ties in x, y and z",
        ROUNDING, lambda: sampled(91, (2, 4, 8), "nearest", "zeros", False,
                                  at=[[-0.5, 0.5, 2.5, 7.5], [0.5, 1.5, 3.5], [-0.5, 0.5, 1.5]])),
    _gs("grid_sample_3d_reflection_far", "trilinear, reflection: grid values far outside in x, y "
        "and z, incl. +-3.5", REFLECTION,
        lambda: sampled(92, (2, 4, 5), "bilinear", "reflection", False,
                        values=[FAR[::2], FAR[1::3], [-3.5, 0.1, 3.5]])),
    _gs("grid_sample_3d_depth_one_ac1", "trilinear, zeros, align_corners=True on a volume of depth "
        "1: z has scale 0", UNIT_AXIS,
        lambda: sampled(93, (1, 3, 5), "bilinear", "zeros", True,
                        values=[[-1, 0.3, 1], [-0.5, 0.5], [-30, 0, 30]])),
    _gs("grid_sample_3d_inf_dropped_taps", "trilinear, zeros: inf in slice z = 0 and -inf in the "
        "last column, read only by dropped taps", NONFINITE,
        lambda: with_infinities(sampled(94, (3, 4, 6), "bilinear", "zeros", False,
                                        at=[[2.5, 6.25, 6.75], [0.5, 1.5], [-1.75, -1.25, 1.5]]),
                                [np.s_[:, :, 0], np.s_[..., 5]])),
    _gs("grid_sample_3d_non_cubic_resize", "trilinear, border: a 2 x 3 x 7 volume read into a "
        "4 x 2 x 3 output (x pairs with W, y with H, z with D)", AXIS_ORDER,
        lambda: scattered(95, (2, 3, 7), (4, 2, 3), "bilinear", "border", True)),
    *[EdgeCase(f"affine_grid_3d_ac{int(ac)}", "affine_grid", f"3 x 4 theta on a 3 x 4 x 5 output, "
               f"align_corners={ac}", AXIS_ORDER, lambda a=ac: affine(72 + a, (2, 3, 3, 4, 5), a))
      for ac in (False, True)],
]

CASES_EMPTY = [
    _gs("grid_sample_empty_grid", "an empty grid (N, 0, 3, 2): an empty output, zero input "
        "gradient", EMPTY, lambda: empty((3, 4), (0, 3))),
    _gs("grid_sample_empty_batch", "N = 0: empty everything", EMPTY,
        lambda: empty((3, 4), (2, 2), N=0)),
    _gs("grid_sample_bicubic_no_channels", "bicubic with C = 0: an empty output, a grid gradient "
        "of zeros", EMPTY, lambda: empty((3, 4), (2, 2), mode="bicubic", C=0)),
    _gs("grid_sample_3d_empty_grid", "a 5-D input and an empty grid (N, 2, 0, 3, 3)", EMPTY,
        lambda: empty((2, 3, 4), (2, 0, 3))),
    EdgeCase("affine_grid_unit_axis_ac1", "affine_grid", "align_corners=True with an output axis "
             "of size 1: its base value is 0 (PyTorch warns: the convention changed in 1.3)",
             UNIT_AXIS + ALIGNMENT, lambda: affine(74, (1, 1, 1, 6), True)),
]

EDGE_CASES = CASES_2D + CASES_BICUBIC + CASES_3D + CASES_EMPTY


def readme(cases):
    """README.md of the bundle: how to run a case, and per case what it probes and its sources."""
    lines = ["# Edge cases for grid_sample and affine_grid", "",
             "Written by `python -m ministn reference cases`. Each `NAME.npz` is a case for",
             "`python -m ministn reference OP --in NAME.npz --out result.npz`; check your kernel's",
             "result with",
             "`python -m ministn reference check OP --case NAME.npz --result theirs.npz`",
             "(docs/reference.md in ministn).", "", "| case | op | probes | stems from |",
             "| --- | --- | --- | --- |"]
    for case in cases:
        sources = ", ".join(f"[{s.split('github.com/')[1]}]({s})" for s in case.sources) or "-"
        lines.append(f"| `{case.name}` | {case.op} | {case.probes} | {sources} |")
    return "\n".join(lines) + "\n"


def write_cases(folder, force=False, cases=None):
    """Write every case as folder/NAME.npz and folder/README.md; returns the paths written.

    Refuses (FileError, before anything is written) when one of these files exists, unless
    force; each file is written atomically."""
    cases = EDGE_CASES if cases is None else cases
    folder = check_writable_folder(folder, what="DIR")
    paths = [folder / f"{case.name}.npz" for case in cases] + [folder / "README.md"]
    existing = [p for p in paths if p.exists()]
    if existing and not force:
        raise FileError(f"DIR {folder}: {existing[0].name} exists ({len(existing)} of the bundle's "
                        f"{len(paths)} files do); use --force to replace them")
    for path in existing:
        if not path.is_file():
            raise FileError(f"DIR {folder}: {path.name} exists and is not a regular file")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise FileError(f"DIR {folder}: cannot create it ({error.strerror or error})") from None
    for case, path in zip(cases, paths):
        with write_atomically(path, what="case") as f:
            np.savez(f, **case.build())
    with write_atomically(paths[-1], mode="w", what="README") as f:
        f.write(readme(cases))
    return [Path(p) for p in paths]
