"""Landmark anchors: keypoints pulled onto the lips and lids so the mouth and eyes move on their own."""
import numpy as np
import torch

from conftest import moving_blob_video
from fomm.config import build_models, load_config
from fomm.data import ANCHOR_GAPS, ANCHORS, FramePairs, anchor_targets
from fomm.full_model import GeneratorFullModel
from fomm.losses import (
    anchor_mask_loss as losses_anchor_mask,
    landmark_anchor_loss,
    landmark_flow_gap_loss,
    landmark_flow_loss,
    landmark_gap_loss,
)
from fomm.train import anchor_assignment, assign_anchor_keypoints
from test_expression_training import fake_landmarks


def test_targets_are_landmark_means_on_the_keypoint_grid():
    marks = fake_landmarks(64)
    targets, valid = anchor_targets(marks, 64, 64)
    assert valid.all() and targets.shape == (len(ANCHORS), 2)
    for index, anchor in enumerate(ANCHORS):
        expected = marks[list(anchor["points"])].mean(axis=0) * 2 / 63 - 1
        assert np.allclose(targets[index].numpy(), expected, atol=1e-6), anchor["name"]
    # Pixel centre 0 is -1 and 63 is +1, as blocks.make_coordinate_grid lays the keypoints out.
    corners = np.zeros((68, 2), dtype=np.float32)
    corners[:, :] = 63
    assert torch.allclose(anchor_targets(corners, 64, 64)[0], torch.ones(len(ANCHORS), 2))


def test_mirrored_frames_swap_left_and_right_anchors():
    marks = fake_landmarks(64)
    marks[48] = [10, 50]  # the subject's right mouth corner: image left in the frame as filmed
    marks[54] = [40, 52]
    mirrored, _ = anchor_targets(marks, 64, 64, mirrored=True)
    # What dlib would find on the flipped frame: x -> 63 - x, and point 48 is again the image-left
    # corner, i.e. the original 54.
    flipped = marks.copy()
    flipped[:, 0] = 63 - flipped[:, 0]
    flipped[[48, 54]] = flipped[[54, 48]]
    flipped[[37, 38, 43, 44]] = flipped[[44, 43, 38, 37]]
    flipped[[40, 41, 46, 47]] = flipped[[47, 46, 41, 40]]
    expected, _ = anchor_targets(flipped, 64, 64)
    assert torch.allclose(mirrored, expected, atol=1e-6)
    assert all(ANCHORS[ANCHORS[i]["mirror"]]["mirror"] == i for i in range(len(ANCHORS)))


def test_no_face_means_no_anchor_counts():
    targets, valid = anchor_targets(np.full((68, 2), np.nan), 64, 64)
    assert not valid.any()
    kp = torch.rand(2, 10, 2, requires_grad=True)
    loss = landmark_anchor_loss(kp, torch.zeros(2, len(ANCHORS), 2), torch.zeros(2, len(ANCHORS), dtype=torch.bool), range(len(ANCHORS)))
    assert float(loss) == 0
    loss.backward()  # still differentiable: a batch without faces trains the rest


def test_loss_counts_only_valid_anchors_and_their_keypoints():
    kp = torch.zeros(1, 10, 2)
    kp[0, 3] = 0.5  # anchored keypoint 3 off by 0.5 in x and y
    kp[0, 9] = 0.9  # not anchored: ignored
    targets = torch.zeros(1, 2, 2)
    valid = torch.tensor([[True, True]])
    assert abs(float(landmark_anchor_loss(kp, targets, valid, [3, 4])) - 0.25) < 1e-6
    valid = torch.tensor([[True, False]])
    assert abs(float(landmark_anchor_loss(kp, targets, valid, [3, 4])) - 0.5) < 1e-6


def test_gap_loss_asks_for_the_openings_not_the_places():
    # The pairs are openings: inner lips, and each eye's upper and lower lid (a mirror keeps them pairs).
    names = [(ANCHORS[a]["name"], ANCHORS[b]["name"]) for a, b in ANCHOR_GAPS]
    assert names[0] == ("upper inner lip", "lower inner lip")
    assert all("upper lid" in a and "lower lid" in b and a.split("(")[1] == b.split("(")[1] for a, b in names[1:])
    assert all({ANCHORS[a]["mirror"], ANCHORS[b]["mirror"]} in [set(g) for g in ANCHOR_GAPS] for a, b in ANCHOR_GAPS)
    keypoints = list(range(8))
    targets = torch.rand(2, 8, 2)
    valid = torch.ones(2, 8, dtype=torch.bool)
    # Every keypoint shifted by the same amount: wrong places (the anchor loss sees it), right openings.
    shifted = targets + 0.3
    assert float(landmark_gap_loss(shifted, targets, valid, keypoints, ANCHOR_GAPS)) < 1e-6
    assert float(landmark_anchor_loss(shifted, targets, valid, keypoints)) > 0.29
    # A mouth that opens half as far as the lips: the loss is half the lips' opening (y only, one of 3 pairs).
    closed = targets.clone()
    closed[:, 1, 1] = (targets[:, 0, 1] + targets[:, 1, 1]) / 2
    expected = float((targets[:, 1, 1] - targets[:, 0, 1]).abs().mean() / 2 / 6)
    assert abs(float(landmark_gap_loss(closed, targets, valid, keypoints, ANCHOR_GAPS)) - expected) < 1e-6
    # A pair counts only where both of its anchors have a face.
    valid[:, 0] = False
    assert float(landmark_gap_loss(closed, targets, valid, keypoints, ANCHOR_GAPS)) == 0
    none = torch.zeros(2, 8, dtype=torch.bool)
    kp = torch.rand(2, 8, 2, requires_grad=True)
    loss = landmark_gap_loss(kp, targets, none, keypoints, ANCHOR_GAPS)
    assert float(loss) == 0
    loss.backward()


def test_frame_pairs_carry_the_anchors_of_their_own_frames():
    video = moving_blob_video(frames=6)
    marks = np.stack([fake_landmarks() + t for t in range(6)]).astype(np.float32)
    marks[2] = np.nan
    data = FramePairs([video], 30, {"flip_param": {"time_flip": True}}, landmarks=[marks], anchors=True)
    seen_invalid = False
    for i in range(30):
        item = data[i]
        for key in ("source", "driving"):
            if not item[f"anchors_{key}_valid"].any():
                seen_invalid = True
                continue
            offset = float(item[f"anchors_{key}"][0, 0] - anchor_targets(marks[0], 64, 64)[0][0, 0]) * 63 / 2
            frame = round(offset)
            assert abs(offset - frame) < 1e-4 and frame != 2
            assert torch.allclose(item[key], torch.from_numpy(video[frame]).permute(2, 0, 1).float() / 255)
    assert seen_invalid


def test_training_pulls_the_anchored_keypoints_onto_the_landmarks():
    torch.manual_seed(0)
    config = load_config("tiny-64")
    config["train_params"]["loss_weights"]["landmark_anchor"] = 10
    config["model_params"]["common_params"]["num_kp"] = 10  # room for the eight anchors
    kp_detector, generator, discriminator = build_models(config)
    video = moving_blob_video(frames=8)
    marks = np.stack([fake_landmarks() for _ in range(8)]).astype(np.float32)
    anchored = assign_anchor_keypoints(kp_detector, [video], [marks], frames=8)
    assert sorted(set(anchored)) == sorted(anchored) and len(anchored) == len(ANCHORS)
    model = GeneratorFullModel(kp_detector, generator, discriminator, config["train_params"], anchor_keypoints=anchored)
    data = FramePairs([video], 16, landmarks=[marks], anchors=True)
    params = list(kp_detector.parameters()) + list(generator.parameters())
    optimizer = torch.optim.Adam(params, lr=5e-3)
    history = []
    for step in range(40):
        items = [data[(step * 4 + i) % len(data)] for i in range(4)]
        batch = {k: torch.stack([it[k] for it in items]) for k in items[0]}
        anchors = {k: v for k, v in batch.items() if k.startswith("anchors_")}
        terms, _ = model(batch["source"], batch["driving"], torch.Generator().manual_seed(step), None, anchors)
        optimizer.zero_grad()
        sum(terms.values()).backward()
        optimizer.step()
        history.append(float(terms["landmark_anchor"]))
    assert np.mean(history[-5:]) < 0.65 * np.mean(history[:5])


def anchored_tiny_step(term, weight):
    """A tiny model (10 keypoints, the eight anchors on keypoints 0-7) with one anchor loss term on,
    its GeneratorFullModel, and a two-pair batch of a moving blob with fake landmarks."""
    config = load_config("tiny-64")
    params = config["train_params"]
    params["loss_weights"][term] = weight
    config["model_params"]["common_params"]["num_kp"] = 10
    kp_detector, generator, discriminator = build_models(config)
    video = moving_blob_video(frames=4)
    marks = np.stack([fake_landmarks() for _ in range(4)]).astype(np.float32)
    data = FramePairs([video], 4, landmarks=[marks], anchors=True)
    batch = {k: torch.stack([data[i][k] for i in range(2)]) for k in data[0]}
    anchors = {k: v for k, v in batch.items() if k.startswith("anchors_")}
    model = GeneratorFullModel(kp_detector, generator, discriminator, params, anchor_keypoints=list(range(8)))
    return model, batch, anchors


def test_training_step_adds_the_gap_term_where_anchors_are_trained():
    model, batch, anchors = anchored_tiny_step("landmark_gap", 100)
    terms, _ = model(batch["source"], batch["driving"], torch.Generator().manual_seed(0), None, anchors)
    assert float(terms["landmark_gap"]) > 0
    sum(terms.values()).backward()
    assert any(p.grad is not None and float(p.grad.abs().sum()) > 0 for p in model.kp_detector.parameters())
    model.weights["landmark_gap"] = 0
    terms, _ = model(batch["source"], batch["driving"], torch.Generator().manual_seed(0), None, anchors)
    assert "landmark_gap" not in terms


def test_the_anchors_keypoints_come_from_the_run_then_the_init_weights_then_a_new_assignment(tmp_path):
    config = load_config("tiny-64")
    config["model_params"]["common_params"]["num_kp"] = 10
    kp_detector, _, _ = build_models(config)
    video = moving_blob_video(frames=8)
    marks = np.stack([fake_landmarks() for _ in range(8)]).astype(np.float32)
    saved = [9, 8, 7, 6, 5, 4, 3, 2]
    assert anchor_assignment(tmp_path, saved, kp_detector, [video], [marks]) == saved  # from --init
    # A resumed run keeps its own record, whatever --init says.
    assert anchor_assignment(tmp_path, [0, 1, 2, 3, 4, 5, 6, 7], kp_detector, [video], [marks]) == saved
    (tmp_path / "new").mkdir()
    fresh = anchor_assignment(tmp_path / "new", None, kp_detector, [video], [marks])
    assert fresh == assign_anchor_keypoints(kp_detector, [video], [marks])


def one_hot_mask(size, owners, num_kp=10):
    """(1, K+1, size, size) masks: the background everywhere but 3x3 patches, each owned by a channel."""
    mask = torch.zeros(1, num_kp + 1, size, size)
    mask[0, 0] = 1
    for (x, y), channel in owners:
        mask[0, :, y - 1:y + 2, x - 1:x + 2] = 0
        mask[0, channel, y - 1:y + 2, x - 1:x + 2] = 1
    return mask


def test_anchor_mask_loss_asks_for_each_anchors_own_keypoint_where_the_anchor_is():
    size, keypoints = 32, [3, 7]
    cells = [(8, 20), (24, 10)]
    to_frame = lambda x, y: [x * 2 / (size - 1) - 1, y * 2 / (size - 1) - 1]  # noqa: E731
    targets = torch.tensor([[to_frame(*cells[0]), to_frame(*cells[1])]])
    valid = torch.ones(1, 2, dtype=torch.bool)
    right = one_hot_mask(size, [(cells[0], 4), (cells[1], 8)])  # keypoint k is channel k + 1
    assert float(losses_anchor_mask(right, targets, valid, keypoints)) < 1e-5
    swapped = one_hot_mask(size, [(cells[0], 8), (cells[1], 4)])
    moved = one_hot_mask(size, [((12, 20), 4), ((24, 14), 8)])  # the right keypoints, 4 cells away
    assert float(losses_anchor_mask(swapped, targets, valid, keypoints)) > 10
    assert float(losses_anchor_mask(moved, targets, valid, keypoints)) > 10
    # Half the mask's share at an anchor costs log 2 there; anchors without a face do not count.
    half = 0.5 * right + 0.5 * one_hot_mask(size, [])
    assert abs(float(losses_anchor_mask(half, targets, valid, keypoints)) - np.log(2)) < 1e-4
    only_first = torch.tensor([[True, False]])
    assert float(losses_anchor_mask(one_hot_mask(size, [(cells[0], 4)]), targets, only_first, keypoints)) < 1e-5
    logits = torch.zeros(1, 11, size, size, requires_grad=True)
    none = losses_anchor_mask(logits.softmax(1), targets, torch.zeros(1, 2, dtype=torch.bool), keypoints)
    assert float(none) == 0
    none.backward()


def assert_term_trains(term, weight, parameters_of):
    """15 Adam steps on one anchor term alone (of the tiny anchored model's parameters_of(model))
    halve it; with its weight 0 the term is not computed."""
    model, batch, anchors = anchored_tiny_step(term, weight)
    optimizer = torch.optim.Adam(parameters_of(model), lr=1e-2)
    history = []
    for _ in range(15):
        terms, _ = model(batch["source"], batch["driving"], torch.Generator().manual_seed(0), None, anchors)
        history.append(float(terms[term]))
        optimizer.zero_grad()
        terms[term].backward()
        optimizer.step()
    assert history[-1] < 0.5 * history[0], history
    model.weights[term] = 0
    terms, _ = model(batch["source"], batch["driving"], torch.Generator().manual_seed(0), None, anchors)
    assert term not in terms


def test_anchor_mask_term_trains_the_dense_motion_masks():
    assert_term_trains("anchor_mask", 1, lambda model: model.generator.dense_motion_network.parameters())


def test_anchor_mask_loss_still_pulls_a_keypoint_the_masks_never_use():
    # A trained model's masks give its lip keypoints about 1e-8 of the lips: the loss must still
    # raise that share, not sit flat under a clamp.
    size = 16
    logits = torch.zeros(1, 11, size, size)
    logits[:, 1] = 20.0  # keypoint 0 owns everything; keypoint 3's share is about e^-20
    logits.requires_grad_(True)
    targets = torch.zeros(1, 1, 2)
    loss = losses_anchor_mask(logits.softmax(1), targets, torch.ones(1, 1, dtype=torch.bool), [3])
    assert float(loss) > 15
    loss.backward()
    assert float(logits.grad[0, 4, size // 2, size // 2]) < -0.01  # gradient descent raises keypoint 3 there


def identity_field(size):
    """(1, size, size, 2): every cell of the driving frame samples the source where it is."""
    line = torch.linspace(-1, 1, size)
    y, x = torch.meshgrid(line, line, indexing="ij")
    return torch.stack([x, y], dim=-1)[None]


def test_landmark_flow_loss_reads_where_the_warp_sends_each_driving_anchor():
    driving = torch.tensor([[[-0.5, 0.2], [0.3, -0.4]]])
    both = torch.ones(1, 2, dtype=torch.bool)
    shift = torch.tensor([0.1, -0.05])
    moved = identity_field(16) + shift  # every point sampled 0.1 right and 0.05 up on the source
    assert float(landmark_flow_loss(moved, driving, driving + shift, both)) < 1e-6
    # Sent elsewhere than the source's anchors: the mean of |0.1| and |0.05|.
    assert abs(float(landmark_flow_loss(moved, driving, driving, both)) - 0.075) < 1e-6
    # A mouth opening twice as far on the driving frame as on the source: the warp must halve it.
    halving = 0.5 * identity_field(16)
    assert float(landmark_flow_loss(halving, driving, 0.5 * driving, both)) < 1e-6
    assert float(landmark_flow_loss(identity_field(16), driving, 0.5 * driving, both)) > 0.1
    # Anchors missing on either frame do not count; with none left the loss is 0, still differentiable.
    first_only = torch.tensor([[True, False]])
    wrong_second = torch.cat([driving[:, :1] + shift, torch.zeros(1, 1, 2)], dim=1)
    assert float(landmark_flow_loss(moved, driving, wrong_second, first_only)) < 1e-6
    field = moved.clone().requires_grad_(True)
    none = landmark_flow_loss(field, driving, driving, torch.zeros(1, 2, dtype=torch.bool))
    assert float(none) == 0
    none.backward()


def test_landmark_flow_term_trains_the_motion_field():
    assert_term_trains("landmark_flow", 10, lambda model: [
        *model.kp_detector.parameters(), *model.generator.dense_motion_network.parameters()])


def test_landmark_flow_gap_loss_asks_for_the_opening_the_warp_carries_not_the_places():
    # Two anchors (upper and lower lip), a mouth open 0.4 on the driving frame and 0.2 on the source.
    driving = torch.tensor([[[0.0, -0.2], [0.0, 0.2]]])
    source = torch.tensor([[[0.3, -0.1], [0.3, 0.1]]])
    both = torch.ones(1, 2, dtype=torch.bool)
    gaps = ((0, 1),)
    halving = 0.5 * identity_field(16)
    # A field that halves distances carries the opening exactly, though it sends both lips 0.3 to
    # the left of the source's: the gap term is 0 where the place term is not.
    assert float(landmark_flow_gap_loss(halving, driving, source, both, gaps)) < 1e-6
    assert float(landmark_flow_loss(halving, driving, source, both)) > 0.1
    # The identity carries the driver's opening (0.4 against 0.2): |0 - 0| and |0.4 - 0.2|, halved.
    assert abs(float(landmark_flow_gap_loss(identity_field(16), driving, source, both, gaps)) - 0.1) < 1e-6
    # A shift moves both lips alike and changes no opening.
    shifted = identity_field(16) + torch.tensor([0.1, 0.05])
    assert abs(float(landmark_flow_gap_loss(shifted, driving, source, both, gaps)) - 0.1) < 1e-6
    # A pair with an anchor missing on either frame does not count.
    none = landmark_flow_gap_loss(identity_field(16), driving, source, torch.tensor([[True, False]]), gaps)
    assert float(none) == 0


def test_landmark_flow_gap_term_trains_the_motion_field():
    assert_term_trains("landmark_flow_gap", 10, lambda model: [
        *model.kp_detector.parameters(), *model.generator.dense_motion_network.parameters()])
