# Waybill's container image: the static binary on an empty base.
#
#   docker build -t waybill .
#   docker run -p 8080:8080 -v waybill-data:/data waybill
#
# The build stage compiles with CGO_ENABLED=0 (SQLite is modernc.org/sqlite,
# pure Go), so the final image holds only the binary, CA certificates (for
# carriers' APIs, SMTP and webhook receivers over TLS), the zone database
# (the binary embeds one too, via time/tzdata) and an unprivileged user.

FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# .git stays out of the build context, so the binary has no VCS stamp:
# `waybill version` prints the revision and version given here, e.g.
#   docker build --build-arg WAYBILL_REVISION=$(git rev-parse HEAD) --build-arg WAYBILL_VERSION=v1.2.0 -t waybill .
ARG WAYBILL_REVISION=""
ARG WAYBILL_VERSION=""
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath \
    -ldflags="-s -w -X main.linkedRevision=${WAYBILL_REVISION} -X main.linkedVersion=${WAYBILL_VERSION}" \
    -o /out/waybill ./cmd/waybill \
 && /out/waybill version
# The data directory, owned by the user the server runs as.
RUN mkdir -p /out/data && chown 65532:65532 /out/data \
 && echo 'waybill:x:65532:65532:waybill:/data:/sbin/nologin' > /out/passwd \
 && echo 'waybill:x:65532:' > /out/group

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo
COPY --from=build /out/passwd /etc/passwd
COPY --from=build /out/group /etc/group
COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build /out/waybill /waybill
USER 65532:65532
ENV WAYBILL_ADDR=:8080 \
    WAYBILL_DATABASE_URL=sqlite:/data/waybill.db \
    WAYBILL_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["/waybill", "healthcheck"]
ENTRYPOINT ["/waybill"]
CMD ["serve"]
