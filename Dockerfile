# The mnist-serve image: `docker build -t mnist-serve:0.1.0 .` (the tag serving-config writes by default).
# Runs any command (`serve`, `sync`, `export`, …): `docker run --rm mnist-serve:0.1.0 sync --help`.
# test/e2e/dockerfile.test.ts runs every step below in a clean copy of the repository.

# Build stage: python3/pip fetch the TensorFlow wheel's C library, make/g++ build the binding.
FROM node:20-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-pip make g++ && rm -rf /var/lib/apt/lists/*
# The engine's library lands here; the runtime stage copies it to the same path, which the
# binding's links name.
ENV XDG_CACHE_HOME=/opt/mnist-serve/cache
WORKDIR /app
# .npmrc sets ignore-scripts: the build and the engine are their own steps below.
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY bin ./bin
COPY scripts ./scripts
COPY src ./src
# Compiled JavaScript in dist/, the engine built, then the build tools (TypeScript, tsx) dropped:
# without src/ beside it, bin/mnist-serve runs dist/.
RUN npm run build && node scripts/install-engine.mjs && npm prune --omit=dev --no-audit --no-fund && rm -rf src

# Runtime stage: no compiler, no Python, no pip wheel.
FROM node:20-slim
ENV NODE_ENV=production MNIST_SERVE_NO_AUTO_SETUP=1
COPY --from=build /opt/mnist-serve/cache/mnist-serve/libtensorflow-2.21.0 /opt/mnist-serve/cache/mnist-serve/libtensorflow-2.21.0
COPY --from=build /app /app
# Owned by the runtime user so a fresh named volume mounted there (compose's `models`) is writable by `sync`.
RUN mkdir -p /models /cache && chown 1000:1000 /models /cache
WORKDIR /app
# Numeric, so Kubernetes' runAsNonRoot can verify it (uid 1000 is the image's `node` user).
USER 1000:1000
ENTRYPOINT ["/app/bin/mnist-serve"]
CMD ["--help"]
