"""Checks for the workshop's exercises, one per blank, grouped by the step they belong to.

`common` holds the machinery every check shares (cases, the comparison with
the reference, the messages); each other module holds one step's checks (or
one chapter's). Everything a notebook calls is importable from here:
`from harvest.workshop import checks; checks.check_q_iteration(q_iteration)`.
"""
from .bellman import check_bellman_lhs, check_bellman_loss, check_bellman_rhs
from .common import TIMEOUT_S, Case, CheckFailed, Seeker, same, small_net, verify
from .corner import check_corner_rate, check_move_exit, check_smallest_fixing_share, ref_corner_rate
from .detection import check_human_moves, check_items_in_support, check_rational_to_spare, check_start_value, \
    ref_items_in_support
from .dreams import check_ascent_step, check_dream_objective, check_support_break_rate, check_wall_mask
from .fixes import check_random_edit, local_edits
from .gridworld import check_encode_state, check_open_cells, check_reward_tensor
from .reward_model import check_disagreement, check_reward_loss, ref_reward_loss
from .rollouts import check_greedy_rollout, check_human_harvest_rate, check_path_return, ref_greedy_rollout, \
    ref_human_harvest_rate
from .side_channel import ChannelFollower, check_adjacent_rate_shown, check_shown_next, ref_shown_next
from .support import check_cell_statistics, check_in_support, ref_cell_statistics, ref_in_support
from .warmup import check_q_iteration
from .zoo import check_auroc
