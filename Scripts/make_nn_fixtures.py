#!/usr/bin/env python3
"""Fixtures for the NeuralNetwork tests: optimiser trajectories and layer outputs from PyTorch.

How to run (from the repository root, with the PyTorch CPU wheel in an ignored virtualenv):

    python3 -m venv .venv && .venv/bin/pip install /opt/wheels/torch-*+cpu-*.whl numpy
    .venv/bin/python Scripts/make_nn_fixtures.py

Writes Tests/NeuralNetworkTests/Fixtures/optimizers.safetensors (committed; ~60 KB). For each
optimiser configuration: two parameters (a [4,3] matrix, so gradient centralisation applies, and
a [5] vector), their initial values, 14 steps of given gradients (`grad.<step>.<param>`), and the
parameters after every step (`param.<step>.<param>`) — enough steps for Ranger's lookahead
(k = 6) to fire twice and for RAdam to leave its warm-up. Ranger is lessw2020's reference
algorithm as used by pSp/e4e/StylePrompter, transcribed below (it is not part of PyTorch).
"""
import json
import math
import struct

import torch
from fixture_common import write_safetensors

STEPS = 14


class Ranger(torch.optim.Optimizer):
    """lessw2020's Ranger (RAdam + Lookahead + gradient centralisation), reference semantics."""

    def __init__(self, params, lr=1e-3, alpha=0.5, k=6, N_sma_threshhold=5, betas=(.95, 0.999), eps=1e-5,
                 weight_decay=0, use_gc=True, gc_conv_only=False):
        defaults = dict(lr=lr, alpha=alpha, k=k, step_counter=0, betas=betas,
                        N_sma_threshhold=N_sma_threshhold, eps=eps, weight_decay=weight_decay)
        super().__init__(params, defaults)
        self.N_sma_threshhold = N_sma_threshhold
        self.alpha = alpha
        self.k = k
        self.radam_buffer = [[None, None, None] for _ in range(10)]
        self.use_gc = use_gc
        self.gc_gradient_threshold = 3 if gc_conv_only else 1

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group['params']:
                if p.grad is None:
                    continue
                grad = p.grad.data.float()
                p_data_fp32 = p.data.float()
                state = self.state[p]
                if len(state) == 0:
                    state['step'] = 0
                    state['exp_avg'] = torch.zeros_like(p_data_fp32)
                    state['exp_avg_sq'] = torch.zeros_like(p_data_fp32)
                    state['slow_buffer'] = torch.empty_like(p.data)
                    state['slow_buffer'].copy_(p.data)
                exp_avg, exp_avg_sq = state['exp_avg'], state['exp_avg_sq']
                beta1, beta2 = group['betas']
                if self.use_gc and grad.dim() > self.gc_gradient_threshold:
                    grad.add_(-grad.mean(dim=tuple(range(1, grad.dim())), keepdim=True))
                state['step'] += 1
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
                exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
                buffered = self.radam_buffer[int(state['step'] % 10)]
                if state['step'] == buffered[0]:
                    N_sma, step_size = buffered[1], buffered[2]
                else:
                    buffered[0] = state['step']
                    beta2_t = beta2 ** state['step']
                    N_sma_max = 2 / (1 - beta2) - 1
                    N_sma = N_sma_max - 2 * state['step'] * beta2_t / (1 - beta2_t)
                    buffered[1] = N_sma
                    if N_sma > self.N_sma_threshhold:
                        step_size = math.sqrt((1 - beta2_t) * (N_sma - 4) / (N_sma_max - 4) * (N_sma - 2) / N_sma
                                              * N_sma_max / (N_sma_max - 2)) / (1 - beta1 ** state['step'])
                    else:
                        step_size = 1.0 / (1 - beta1 ** state['step'])
                    buffered[2] = step_size
                if group['weight_decay'] != 0:
                    p_data_fp32.add_(p_data_fp32, alpha=-group['weight_decay'] * group['lr'])
                if N_sma > self.N_sma_threshhold:
                    denom = exp_avg_sq.sqrt().add_(group['eps'])
                    p_data_fp32.addcdiv_(exp_avg, denom, value=-step_size * group['lr'])
                else:
                    p_data_fp32.add_(exp_avg, alpha=-step_size * group['lr'])
                p.data.copy_(p_data_fp32)
                if state['step'] % group['k'] == 0:
                    slow_p = state['slow_buffer']
                    slow_p.add_(p.data - slow_p, alpha=self.alpha)
                    p.data.copy_(slow_p)



def main():
    torch.manual_seed(1234)
    CONFIGS = {
        "sgd": lambda ps: torch.optim.SGD(ps, lr=0.1),
        "sgd_momentum": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01),
        "sgd_nesterov": lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
        "adam": lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01),
        "adamw": lambda ps: torch.optim.AdamW(ps, lr=0.01, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.1),
        "ranger": lambda ps: Ranger(ps, lr=0.01),
        "ranger_wd": lambda ps: Ranger(ps, lr=0.02, weight_decay=0.01, betas=(0.9, 0.999)),
    }

    tensors = {}
    for name, make in CONFIGS.items():
        params = [torch.randn(4, 3), torch.randn(5)]
        params = [p.clone().requires_grad_(True) for p in params]
        for j, p in enumerate(params):
            tensors[f"{name}.init.{j}"] = p.detach().clone()
        opt = make(params)
        for step in range(STEPS):
            for j, p in enumerate(params):
                g = torch.randn_like(p) * (0.5 + step * 0.1)
                p.grad = g.clone()
                tensors[f"{name}.grad.{step}.{j}"] = g
            opt.step()
            for j, p in enumerate(params):
                tensors[f"{name}.param.{step}.{j}"] = p.detach().clone()
    write_safetensors("Tests/NeuralNetworkTests/Fixtures/optimizers.safetensors", tensors,
                      {"steps": str(STEPS), "configs": json.dumps(list(CONFIGS)), "torch": torch.__version__})
    print("wrote", len(tensors), "tensors")


if __name__ == "__main__":
    main()
