# The Paperboy image: the web site (`serve`) or the digest sender (`worker`), chosen by the command.
# docker build -t paperboy .   (see docs/deploy.md)
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ postgresql-client \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev && npm cache clean --force
COPY bin ./bin
COPY src ./src
COPY tsconfig.json ./
# The CLI's JavaScript, built once here (bin/build.js): the user below cannot write under /app.
RUN node bin/paperboy.js --help >/dev/null
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 PAPERBOY_DATA_DIR=/data
RUN mkdir -p /data && chown node:node /data
EXPOSE 8080
USER node
ENTRYPOINT ["node", "bin/paperboy.js"]
CMD ["serve"]
