"""nhtopo_lib -- helper library of the non-Hermitian band topology book.

Conventions used throughout (see :mod:`nhtopo_lib.chain`):

* ``beta = e^{ik}``, ``H(beta) = sum_n T_n beta**n``, ``H_OBC[j, j+n] = T_n``;
* windings count counter-clockwise as positive, loops in ``beta`` run
  counter-clockwise (``k`` from 0 to 2 pi);
* every winding routine refuses under-resolved sampling and base points on
  the curve with a ``ValueError`` instead of returning a wrong integer.
"""

from .chain import Chain, CharPoly
from .laurent import LaurentPoly, certified_roots
from .models import (
    hatano_nelson,
    hatano_nelson_energy,
    hatano_nelson_winding,
    nh_ssh_energy_squared,
    nh_ssh_interband_winding,
    nh_ssh_nonreciprocal,
    nh_ssh_phase_boundaries,
    nh_ssh_yao_wang,
    nh_ssh_yao_wang_gbz_radius,
    off_diagonal_chain,
    off_diagonal_entries,
    nh_ssh_general,
    long_range_sublattice,
    chen_chang_kao_nh,
    ssh_creutz,
    nh_ssh_creutz,
)
from .gbz import GBZ, solve_gbz, gbz_circle_radius, gbz_region_mask, beta_root_gap
from .polezero import (
    pole_zero_invariant,
    pole_zero_invariant_batch,
    gbz_invariant,
    zero_mode_count,
    pole_zero_data,
    gbz_winding_data,
    zero_mode_data,
    m2_winding_on_loop,
    sublattice_form,
    general_sublattice_invariant,
    m_sphere,
    eigvec_ratio,
)
from .zeromodes import ZeroModeCount, certified_zero_modes
from .exceptional import (
    branch_tracked_gap,
    circle_loop,
    find_exceptional_points,
    nh_dirac_bloch,
    nh_dirac_exceptional_points,
    nh_dirac_f,
    nh_dirac_interband_winding,
    nh_dirac_loops,
    nh_dirac_phase_boundaries,
    open_phase_winding,
    two_band_discriminant,
)
from .notebook import explorer_note, init_notebook, widgets_are_live
from .sweep import Sweep, parameter_sweep  # xarray/zarr/tqdm are imported only when a sweep runs
from .spectra import (
    check_hermitian,
    converged_eigvals,
    eigvals,
    eigvals_certified,
    hermitian_eigvalsh,
    obc_spectrum,
    recommended_bits,
    smallest_magnitude,
    spectrum_distance,
)
from .winding import (
    adaptive_winding,
    det_winding,
    det_winding_roots,
    phase_steps,
    winding_number,
    wrap_phase,
)

from .transitions import (
    Crossing,
    ThresholdSets,
    distance_to_lines,
    probability_crossings,
    sample_threshold_sets,
    threshold_split,
)

from .tridiagonal import (
    FluxCoefficients,
    ring_flux_coefficients,
    ring_matrix,
    symmetric_tridiagonal_eigvals_select,
    tridiagonal_eigvals,
)
from .aah import (
    AAH_BETA,
    AAH_L,
    aah_analytic_winding,
    aah_base_energy,
    aah_dense_flux_curve,
    aah_flux_coefficients,
    aah_flux_curves,
    aah_hoppings,
    aah_lyapunov_estimate,
    aah_lyapunov_exponent,
    aah_obc_eigvals,
    aah_phase_boundary,
    aah_potential,
    aah_ring_matrix,
)

from .msr import (
    as_chain,
    biorthogonal_zak_phases,
    isolated_edge_count,
    isolated_edge_states,
    majorana_polynomial,
    majorana_stars,
    msr_windings,
    nn_chain_summed_windings,
    non_bloch_bloch,
    non_bloch_kappa,
    star_windings,
    stars_to_xyz,
    subchain_edge_count,
    summed_winding,
    summed_winding_batch,
    track_bands,
    track_stars,
)
from .models import (
    multiband_nn_bloch,
    multiband_nn_chain,
    pt_three_band_chain,
    pt_three_band_edge_energies,
    pt_three_band_ep_boundaries,
    pt_three_band_ep_region,
    pt_three_band_summed_winding,
)

__version__ = "0.1.0"

__all__ = [
    "Chain", "CharPoly", "LaurentPoly", "certified_roots",
    "hatano_nelson", "hatano_nelson_energy", "hatano_nelson_winding", "nh_ssh_nonreciprocal",
    "nh_ssh_yao_wang", "nh_ssh_yao_wang_gbz_radius", "off_diagonal_chain",
    "nh_ssh_energy_squared", "nh_ssh_interband_winding", "nh_ssh_phase_boundaries",
    "branch_tracked_gap", "circle_loop", "find_exceptional_points", "nh_dirac_bloch",
    "nh_dirac_exceptional_points", "nh_dirac_f", "nh_dirac_interband_winding", "nh_dirac_loops",
    "nh_dirac_phase_boundaries", "open_phase_winding", "two_band_discriminant",
    "Crossing", "ThresholdSets", "distance_to_lines", "probability_crossings", "sample_threshold_sets",
    "threshold_split",
    "init_notebook",
    "explorer_note", "widgets_are_live",
    "Sweep", "parameter_sweep",
    "check_hermitian", "converged_eigvals", "eigvals", "eigvals_certified", "hermitian_eigvalsh",
    "obc_spectrum", "recommended_bits", "smallest_magnitude", "spectrum_distance",
    "adaptive_winding", "det_winding", "det_winding_roots", "phase_steps", "winding_number", "wrap_phase",
    # sublattice models, GBZ, pole-zero invariant, certified zero modes
    "off_diagonal_entries", "nh_ssh_general", "long_range_sublattice", "chen_chang_kao_nh", "ssh_creutz",
    "nh_ssh_creutz", "GBZ", "solve_gbz", "gbz_circle_radius", "gbz_region_mask", "beta_root_gap", "pole_zero_invariant", "pole_zero_invariant_batch",
    "gbz_invariant",
    "zero_mode_count", "pole_zero_data", "gbz_winding_data", "zero_mode_data", "m2_winding_on_loop",
    "sublattice_form", "general_sublattice_invariant", "m_sphere", "eigvec_ratio", "ZeroModeCount",
    "certified_zero_modes",
    # tridiagonal rings with flux, fast eigenvalues; non-Hermitian AAH model
    "FluxCoefficients", "ring_flux_coefficients", "ring_matrix", "symmetric_tridiagonal_eigvals_select",
    "tridiagonal_eigvals", "AAH_BETA", "AAH_L", "aah_analytic_winding", "aah_base_energy",
    "aah_dense_flux_curve", "aah_flux_coefficients", "aah_flux_curves", "aah_lyapunov_estimate", "aah_hoppings", "aah_lyapunov_exponent",
    "aah_obc_eigvals", "aah_phase_boundary", "aah_potential", "aah_ring_matrix",
    # Majorana stellar representation (MSR) of multiband chains
    "as_chain", "biorthogonal_zak_phases", "isolated_edge_count", "isolated_edge_states", "majorana_polynomial",
    "majorana_stars", "msr_windings", "nn_chain_summed_windings", "non_bloch_bloch", "non_bloch_kappa",
    "star_windings", "stars_to_xyz", "subchain_edge_count", "summed_winding", "summed_winding_batch",
    "track_bands", "track_stars", "multiband_nn_bloch", "multiband_nn_chain", "pt_three_band_chain",
    "pt_three_band_edge_energies", "pt_three_band_ep_boundaries", "pt_three_band_ep_region",
    "pt_three_band_summed_winding",
]


def __getattr__(name):
    """Lazy access to the torch-based :mod:`nhtopo_lib.learning` (``nl.learning``).

    Importing torch takes seconds, so chapters without neural networks do not pay for it;
    ``import nhtopo_lib.learning as ml`` works as usual.
    """
    if name == "learning":
        import importlib

        return importlib.import_module(".learning", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
