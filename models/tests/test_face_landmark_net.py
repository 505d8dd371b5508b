"""The PyTorch ports of face-api's landmark and expression networks, against face-api itself, and their losses."""
import shutil
import subprocess

import numpy as np
import pytest
import torch

from conftest import MODELS_DIR, REPO, SHARED
from fomm.face_landmark_net import (
    EXPRESSIONS, MANIFESTS, MODEL_DIR, MOUTH, FaceExpressionNet, FaceLandmark68, expression_landmark_loss,
    face_perceptual_loss, read_weights,
)

HAVE_FACEAPI = (REPO / "node_modules" / "@vladmandic" / "face-api").exists() and shutil.which("node") is not None
PHOTOS = sorted((SHARED / "datasets" / "faces" / "source_images").glob("*.*"))[:3] if SHARED.exists() else []
needs_faceapi = pytest.mark.skipif(not HAVE_FACEAPI, reason="needs node and the npm package @vladmandic/face-api (npm ci)")


def face_crops(count=3):
    """Real photos, centre-cropped to a square and scaled to 112x112 (uint8, N x 112 x 112 x 3)."""
    from PIL import Image

    crops = []
    for photo in PHOTOS[:count]:
        image = Image.open(photo).convert("RGB")
        side = min(image.size)
        left, top = (image.width - side) // 2, (image.height - side) // 2
        crops.append(np.asarray(image.crop((left, top, left + side, top + side)).resize((112, 112), Image.BILINEAR)))
    return np.stack(crops)


def faceapi_outputs(variant, crops):
    proc = subprocess.run(
        ["node", str(MODELS_DIR / "tools" / "face_landmarks_faceapi.cjs"), variant, str(len(crops))],
        input=np.ascontiguousarray(crops).tobytes(), capture_output=True, check=True, cwd=REPO,
    )
    rows = [line.split() for line in proc.stdout.decode().splitlines() if line.strip()]
    return np.array(rows, dtype=np.float32)


@needs_faceapi
@pytest.mark.skipif(not PHOTOS, reason="needs the photos in ../shared/datasets/faces/source_images")
@pytest.mark.parametrize("variant", ["tiny", "full"])
def test_port_matches_faceapi_on_real_faces(variant):
    crops = face_crops()
    expected = faceapi_outputs(variant, crops).reshape(len(crops), 68, 2)
    with torch.no_grad():
        found = FaceLandmark68(variant)(torch.from_numpy(crops).permute(0, 3, 1, 2).float() / 255).numpy()
    assert np.abs(found - expected).max() < 1e-4
    # On a face, the points lie inside the frame and the mouth below the eyes.
    assert (found > -0.1).all() and (found < 1.1).all()
    assert (found[:, 48:68, 1].mean(1) > found[:, 36:48, 1].mean(1)).all()


@needs_faceapi
@pytest.mark.skipif(not PHOTOS, reason="needs the photos in ../shared/datasets/faces/source_images")
def test_expression_port_matches_faceapi_on_real_faces():
    crops = face_crops()
    expected = faceapi_outputs("expression", crops)
    with torch.no_grad():
        found = torch.softmax(FaceExpressionNet()(torch.from_numpy(crops).permute(0, 3, 1, 2).float() / 255), 1).numpy()
    assert found.shape == (len(crops), len(EXPRESSIONS))
    assert np.abs(found - expected).max() < 1e-4
    np.testing.assert_allclose(found.sum(1), 1, atol=1e-5)


@needs_faceapi
def test_face_perceptual_loss_is_zero_on_the_driving_frame_and_grows_with_blur():
    net = FaceExpressionNet()
    assert not any(p.requires_grad for p in net.parameters())
    driving = torch.from_numpy(face_crops(2)).permute(0, 3, 1, 2).float() / 255 if PHOTOS else torch.rand(2, 3, 112, 112)
    weights = [1, 1, 1, 1]
    assert float(face_perceptual_loss(net, driving, driving, weights)) == 0
    slight = torch.nn.functional.avg_pool2d(driving, 3, 1, 1, count_include_pad=False)
    strong = torch.nn.functional.avg_pool2d(driving, 7, 1, 3, count_include_pad=False)
    losses = [float(face_perceptual_loss(net, blurred, driving, weights)) for blurred in (slight, strong)]
    assert 0 < losses[0] < losses[1]
    # A zero weight leaves its block out; mouth and eye weights change the sum; gradients reach the pixels.
    assert float(face_perceptual_loss(net, slight, driving, [0, 0, 0, 1])) < losses[0]
    emphasis = torch.ones(2, 1, 112, 112)
    emphasis[:, :, 70:] = 3
    assert float(face_perceptual_loss(net, slight, driving, weights, emphasis / emphasis.mean())) != losses[0]
    generated = slight.clone().requires_grad_(True)
    face_perceptual_loss(net, generated, driving, weights).backward()
    assert float(generated.grad.abs().sum()) > 0


@needs_faceapi
def test_weights_are_read_whole():
    weights = read_weights(MODEL_DIR / MANIFESTS["tiny"])
    assert weights["fc/weights"].shape == (128, 136)
    assert weights["dense0/conv0/filters"].shape == (3, 3, 3, 32)
    assert all(np.isfinite(w).all() for w in weights.values())


@needs_faceapi
def test_expression_loss_is_zero_on_the_driving_frame_and_moves_the_pixels():
    net = FaceLandmark68("tiny")
    assert not any(p.requires_grad for p in net.parameters())
    driving = torch.rand(2, 3, 128, 128)
    assert float(expression_landmark_loss(net, driving, driving)) == 0
    generated = (driving + 0.2 * torch.randn_like(driving)).clamp(0, 1).requires_grad_(True)
    loss = expression_landmark_loss(net, generated, driving)
    loss.backward()
    assert float(loss) > 0 and float(generated.grad.abs().sum()) > 0
    assert len(MOUTH) == 20


@needs_faceapi
def test_training_step_adds_the_expression_term_and_trains_the_generator():
    from fomm.config import build_models, load_config
    from fomm.full_model import GeneratorFullModel, total

    config = load_config("tiny-64")
    params = config["train_params"]
    params["loss_weights"]["expression_landmarks"] = 10
    kp, gen, disc = build_models(config)
    model = GeneratorFullModel(kp, gen, disc, params, landmark_net=FaceLandmark68("tiny"))
    frames = torch.rand(2, 3, 64, 64)
    terms, _ = model(frames, frames.flip(-1), torch.Generator().manual_seed(0))
    assert "expression_landmarks" in terms and float(terms["expression_landmarks"]) > 0
    total(terms).backward()
    assert any(p.grad is not None and float(p.grad.abs().sum()) > 0 for p in gen.parameters())
    # Without the weight, no term (and no landmark network needed).
    params["loss_weights"]["expression_landmarks"] = 0
    terms, _ = GeneratorFullModel(kp, gen, disc, params)(frames, frames, torch.Generator().manual_seed(0))
    assert "expression_landmarks" not in terms


@needs_faceapi
def test_training_step_adds_the_face_perceptual_term_and_trains_the_generator():
    from fomm.config import build_models, load_config
    from fomm.full_model import GeneratorFullModel, total

    config = load_config("tiny-64")
    params = config["train_params"]
    params["loss_weights"]["face_perceptual"] = [1, 1, 1, 1]
    kp, gen, disc = build_models(config)
    model = GeneratorFullModel(kp, gen, disc, params, face_net=FaceExpressionNet())
    frames = torch.rand(2, 3, 64, 64)
    terms, _ = model(frames, frames.flip(-1), torch.Generator().manual_seed(0))
    assert float(terms["face_perceptual"]) > 0
    total(terms).backward()
    assert any(p.grad is not None and float(p.grad.abs().sum()) > 0 for p in gen.parameters())
    params["loss_weights"]["face_perceptual"] = [0, 0, 0, 0]
    terms, _ = GeneratorFullModel(kp, gen, disc, params)(frames, frames, torch.Generator().manual_seed(0))
    assert "face_perceptual" not in terms
