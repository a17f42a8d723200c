# wabridge in a container. Node 20 (the newest the pinned dependencies run on); better-sqlite3
# builds from source, hence the compiler in the build stage.
#
# The build stage installs every dependency (Vite and React build the web console), builds the
# console into console/dist, then prunes the dev dependencies: the runtime stage gets the gateway,
# its production dependencies (tsx runs the TypeScript sources) and the built console.
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# The prepare step skips the console build here (console/ is not copied yet); it is built below.
RUN npm ci
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
COPY console ./console
RUN npm run console:build && npm prune --omit=dev && rm -rf console/src

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
# The SQLite store (and a sandbox's generated secrets) live in /data, writable by the node user:
# mount a volume there to keep them (`-v wabridge-data:/data`).
RUN mkdir -p /data && chown node:node /data
ENV DATA_DIR=/data
USER node
EXPOSE 8080
# Readiness: /readyz (503 while starting, shutting down, or when the store cannot write).
HEALTHCHECK --interval=10s --timeout=2s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "--max-semi-space-size=64", "--import", "tsx", "src/cli/main.ts"]
CMD ["start"]
