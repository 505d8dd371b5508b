"""One training step's forward pass: reconstruct D from S and the keypoints, and every loss term."""
import torch
from torch import nn

from . import losses
from .data import ANCHOR_GAPS
from .face_landmark_net import expression_landmark_loss, face_perceptual_loss
from .transforms import RandomWarp


class GeneratorFullModel(nn.Module):
    def __init__(self, kp_detector, generator, discriminator, train_params, vgg=None, anchor_keypoints=None,
                 landmark_net=None, face_net=None):
        super().__init__()
        self.kp_detector = kp_detector
        self.generator = generator
        self.discriminator = discriminator
        self.train_params = train_params
        self.weights = train_params["loss_weights"]
        self.scales = train_params["scales"]
        self.pyramid = losses.ImagePyramid(self.scales, generator.num_channels)
        self.vgg = vgg
        # Which keypoint each landmark anchor pulls (data.ANCHORS order), when anchors are trained.
        self.anchor_keypoints = anchor_keypoints
        # A frozen face landmark network (face_landmark_net.FaceLandmark68) for the expression loss.
        self.landmark_net = landmark_net
        # A frozen face network (face_landmark_net.FaceExpressionNet) for the face perceptual loss.
        self.face_net = face_net

    def forward(self, source, driving, rng=None, pixel_weights=None, anchors=None):
        kp_source = self.kp_detector(source)
        kp_driving = self.kp_detector(driving)
        generated = self.generator(source, kp_driving=kp_driving, kp_source=kp_source)
        generated.update({"kp_source": kp_source, "kp_driving": kp_driving})

        terms = {}
        pyr_real = self.pyramid(driving)
        pyr_fake = self.pyramid(generated["prediction"])
        recon_weights = self.weights["perceptual"] if self.vgg is not None else [self.weights.get("pixel") or 10]
        terms["reconstruction"] = losses.pyramid_reconstruction_loss(
            pyr_fake, pyr_real, recon_weights, self.vgg, pixel_weights
        )

        face_weights = self.weights.get("face_perceptual") or []
        if any(face_weights) and self.face_net is not None:
            # Eq. 9 on a face network's feature maps, as the paper's VGG-19 term (full scale only).
            terms["face_perceptual"] = face_perceptual_loss(
                self.face_net, generated["prediction"], driving, face_weights, pixel_weights
            )

        if self.weights.get("generator_gan", 0):
            kp_for_disc = kp_driving["value"].detach()
            disc_fake = self.discriminator(pyr_fake, kp_for_disc)
            disc_real = self.discriminator(pyr_real, kp_for_disc)
            terms["gen_gan"] = self.weights["generator_gan"] * losses.generator_gan_loss(disc_fake)
            if sum(self.weights.get("feature_matching", [])):
                terms["feature_matching"] = losses.feature_matching_loss(
                    disc_fake, disc_real, self.weights["feature_matching"]
                )

        w_expression = self.weights.get("expression_landmarks", 0)
        if w_expression and self.landmark_net is not None:
            # The generated frame's mouth and eyes where the driving frame's are, as the landmark
            # network sees both: gradients reach the pixels that open a mouth or close a lid.
            terms["expression_landmarks"] = w_expression * expression_landmark_loss(
                self.landmark_net, generated["prediction"], driving
            )

        if anchors is not None and self.anchor_keypoints is not None:
            def on_both_frames(loss, *extra):
                # The mean of the source's and the driving frame's anchor losses.
                return 0.5 * sum(
                    loss(kp["value"], anchors[f"anchors_{key}"], anchors[f"anchors_{key}_valid"], self.anchor_keypoints, *extra)
                    for key, kp in (("source", kp_source), ("driving", kp_driving))
                )

            w_anchor = self.weights.get("landmark_anchor", 0)
            if w_anchor:
                terms["landmark_anchor"] = w_anchor * on_both_frames(losses.landmark_anchor_loss)
            w_gap = self.weights.get("landmark_gap", 0)
            if w_gap:
                terms["landmark_gap"] = w_gap * on_both_frames(losses.landmark_gap_loss, ANCHOR_GAPS)
            w_mask = self.weights.get("anchor_mask", 0)
            if w_mask and "mask" in generated:
                # The motion at each anchor of the driving frame is its own keypoint's (Eq. 7's masks).
                terms["anchor_mask"] = w_mask * losses.anchor_mask_loss(
                    generated["mask"], anchors["anchors_driving"], anchors["anchors_driving_valid"], self.anchor_keypoints
                )
            w_flow = self.weights.get("landmark_flow", 0)
            if w_flow and "deformation" in generated:
                # The warp carries each anchor of the source to its place on the driving frame.
                terms["landmark_flow"] = w_flow * losses.landmark_flow_loss(
                    generated["deformation"], anchors["anchors_driving"], anchors["anchors_source"],
                    anchors["anchors_driving_valid"] & anchors["anchors_source_valid"],
                )
            w_flow_gap = self.weights.get("landmark_flow_gap", 0)
            if w_flow_gap and "deformation" in generated:
                # The warp opens the source's mouth and eyes as far as the driving frame's are open.
                terms["landmark_flow_gap"] = w_flow_gap * losses.landmark_flow_gap_loss(
                    generated["deformation"], anchors["anchors_driving"], anchors["anchors_source"],
                    anchors["anchors_driving_valid"] & anchors["anchors_source_valid"], ANCHOR_GAPS,
                )

        w_value = self.weights.get("equivariance_value", 0)
        w_jac = self.weights.get("equivariance_jacobian", 0)
        if w_value or w_jac:
            warp = RandomWarp(driving.shape[0], generator=rng, **self.train_params["transform_params"])
            kp_warped = self.kp_detector(warp.warp_image(driving))
            generated["warped_driving"] = kp_warped
            if w_value:
                terms["equivariance_value"] = w_value * losses.equivariance_value_loss(kp_driving, kp_warped, warp)
            if w_jac and self.kp_detector.jacobian is not None:
                terms["equivariance_jacobian"] = w_jac * losses.equivariance_jacobian_loss(kp_driving, kp_warped, warp)
        return terms, generated


class DiscriminatorFullModel(nn.Module):
    def __init__(self, discriminator, train_params, pyramid):
        super().__init__()
        self.discriminator = discriminator
        self.weight = train_params["loss_weights"].get("discriminator_gan", 1)
        self.pyramid = pyramid

    def forward(self, driving, generated):
        kp_value = generated["kp_driving"]["value"].detach()
        disc_fake = self.discriminator(self.pyramid(generated["prediction"].detach()), kp_value)
        disc_real = self.discriminator(self.pyramid(driving), kp_value)
        return {"disc_gan": self.weight * losses.discriminator_gan_loss(disc_fake, disc_real)}


def total(terms):
    return sum(terms.values()) if terms else torch.zeros(())
