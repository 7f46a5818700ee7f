// Package config holds Waybill's settings: defaults, WAYBILL_* environment
// variables, validation, and a dump with secrets masked.
package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/waybillhq/waybill/internal/secretbox"
)

// maxWebhookTimeout bounds WAYBILL_WEBHOOK_TIMEOUT: one delivery attempt
// must end within the job timeout of the queue (75 s), with room to record it.
const maxWebhookTimeout = time.Minute

// MaxClaimLease is WAYBILL_CLAIM_LEASE's default and longest value: the
// queue's job timeout (75 s) with room to record the job's result.
const MaxClaimLease = 90 * time.Second

// maxDatabaseWarmup bounds WAYBILL_DATABASE_WARMUP: a server that waits
// longer than this for its database is better started and retried.
const maxDatabaseWarmup = 5 * time.Minute

// MaxReadBatchLoops bounds WAYBILL_READ_BATCH_LOOPS: the request pool's
// 32 connections.
const MaxReadBatchLoops = 32

// minClaimLease bounds WAYBILL_CLAIM_LEASE from below.
const minClaimLease = time.Second

// Config is every setting of a Waybill process. The zero value is not
// usable; start from Default or Load.
type Config struct {
	Addr            string // WAYBILL_ADDR
	DatabaseURL     string // WAYBILL_DATABASE_URL: sqlite:PATH or postgres://...
	BootstrapAPIKey string // WAYBILL_BOOTSTRAP_API_KEY
	PublicURL       string // WAYBILL_PUBLIC_URL; unset: PublicURLFor(Addr)
	LogLevel        string // WAYBILL_LOG_LEVEL: debug, info, warn, error
	LogFormat       string // WAYBILL_LOG_FORMAT: text or json
	// PprofAddr, when set, serves Go's runtime profiles (net/http/pprof)
	// on this separate address; keep it on loopback.
	PprofAddr string // WAYBILL_PPROF_ADDR

	MaxBodyBytes    int64         // WAYBILL_MAX_BODY_BYTES
	ShutdownTimeout time.Duration // WAYBILL_SHUTDOWN_TIMEOUT
	// DatabaseWarmup bounds how long serve, on PostgreSQL, opens and
	// warms its database connections before it serves; 0 skips it.
	DatabaseWarmup time.Duration // WAYBILL_DATABASE_WARMUP
	// ReadBatchLoops, on PostgreSQL, is how many batched reads of v4 gets
	// by id and of tracking pages run at once (store.SetReadBatchLoops):
	// fewer share more round trips, more give the reads more of a busy
	// database's connections.
	ReadBatchLoops int // WAYBILL_READ_BATCH_LOOPS

	// RateLimitLegacy is the v4 per-key budget (requests per second).
	RateLimitLegacy float64 // WAYBILL_RATE_LIMIT_V4
	// RateLimitScale multiplies every per-endpoint limit of the dated API;
	// 0 turns rate limiting off (benchmarks).
	RateLimitScale float64 // WAYBILL_RATE_LIMIT_SCALE
	// AuthFailuresPerMinute is how many failed authentications (401s) a
	// client address may have a minute, in a burst of as many, on every
	// face together; past it the address gets 429 with Retry-After. 0
	// turns the throttle off.
	AuthFailuresPerMinute int // WAYBILL_AUTH_FAILURES_PER_MINUTE
	// RedisURL, when set, keeps the API rate limits (AfterShip's, Onport's,
	// failed authentications, portal lookups) in that Redis, so that the
	// instances sharing it share one budget per key or address instead of
	// granting one each. Unreachable Redis: each instance limits on its
	// own (internal/sharedlimit). redis://[user:password@]host:port[/db].
	RedisURL string // WAYBILL_REDIS_URL

	Workers int // WAYBILL_WORKERS: concurrent jobs per process

	WebhookAllowPrivate  bool          // WAYBILL_WEBHOOK_ALLOW_PRIVATE
	WebhookRetrySchedule string        // WAYBILL_WEBHOOK_RETRY_SCHEDULE
	WebhookWorkers       int           // WAYBILL_WEBHOOK_WORKERS: 0 attempts none here
	WebhookTimeout       time.Duration // WAYBILL_WEBHOOK_TIMEOUT: total time for one attempt

	// ClaimLease is how long work a process took (a claimed first poll or
	// first webhook attempt, a running job) is withheld from the other
	// processes, and so how long work a killed process held waits before
	// another takes it up. Under MaxClaimLease the timeouts of that work
	// shrink with it (a job's to five sixths, a first attempt's to a
	// half), and WAYBILL_WEBHOOK_TIMEOUT must be at most a third of it.
	ClaimLease time.Duration // WAYBILL_CLAIM_LEASE

	// InboundWorkers is how many Onport channels this process works at
	// once; 0 accepts asynchronous messages without processing them
	// (another instance does).
	InboundWorkers int // WAYBILL_INBOUND_WORKERS

	// SandboxStep is the time between the sandbox courier's scans.
	SandboxStep time.Duration // WAYBILL_SANDBOX_STEP

	// PollScale multiplies every interval of the poll cadence: 1 in
	// production, 0.001 to run a parcel's journey in seconds (demos,
	// tests).
	PollScale float64 // WAYBILL_POLL_SCALE
	// Carrier API base URLs; empty means the carrier's production host.
	// Point them at a sandbox or a local fake.
	CarrierUPSURL   string // WAYBILL_CARRIER_UPS_URL
	CarrierFedExURL string // WAYBILL_CARRIER_FEDEX_URL
	CarrierUSPSURL  string // WAYBILL_CARRIER_USPS_URL
	CarrierDHLURL   string // WAYBILL_CARRIER_DHL_URL
	// CarrierRates overrides the connectors' per-connection rates:
	// "slug=perSecond[:burst],..." (carrier.ParseRates).
	CarrierRates string // WAYBILL_CARRIER_RATES

	// SMTPURL is the mail server of customer notifications:
	// smtp://user:pass@host:port (STARTTLS when offered, unless
	// ?starttls=off) or smtps://... (TLS from the start). Empty sends no
	// email; messages are still decided and recorded.
	SMTPURL  string // WAYBILL_SMTP_URL
	MailFrom string // WAYBILL_MAIL_FROM: "Store <notify@example.com>"

	// SMS through Twilio's Messages API (or any provider that speaks it).
	// Empty AccountSID sends no SMS.
	SMSURL        string // WAYBILL_SMS_URL
	SMSAccountSID string // WAYBILL_SMS_ACCOUNT_SID
	SMSAuthToken  string // WAYBILL_SMS_AUTH_TOKEN
	SMSFrom       string // WAYBILL_SMS_FROM: E.164

	// SecretKey encrypts the secrets Waybill stores for organizations
	// (carrier credentials, connector tokens): comma-separated 32-byte
	// keys in base64 or hex, the first sealing, all opening (rotation).
	// See internal/secretbox.
	SecretKey string // WAYBILL_SECRET_KEY
}

// Default returns the settings used when nothing is configured.
func Default() Config {
	return Config{
		Addr:            ":8080",
		DatabaseURL:     "sqlite:data/waybill.db",
		PublicURL:       "http://localhost:8080",
		LogLevel:        "info",
		LogFormat:       "text",
		MaxBodyBytes:    1 << 20,
		ShutdownTimeout: 30 * time.Second,
		DatabaseWarmup:  10 * time.Second,
		ReadBatchLoops:  1,
		RateLimitLegacy: 10,
		RateLimitScale:  1,
		Workers:         20,
		WebhookWorkers:  400,
		InboundWorkers:  4,
		WebhookTimeout:  15 * time.Second,
		ClaimLease:      MaxClaimLease,
		SandboxStep:     time.Minute,
		PollScale:       1,
		SMSURL:          "https://api.twilio.com",

		AuthFailuresPerMinute: 20,
	}
}

// Load returns Default overridden by the WAYBILL_* variables that getenv
// reports, and validated.
func Load(getenv func(string) string) (Config, error) {
	c := Default()
	var errs []error
	str := func(name string, dst *string) {
		if v := getenv(name); v != "" {
			*dst = v
		}
	}
	num := func(name string, dst *float64) {
		if v := getenv(name); v != "" {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a number", name, v))
			}
			*dst = f
		}
	}
	integer := func(name string, dst *int64) {
		if v := getenv(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not an integer", name, v))
			}
			*dst = n
		}
	}
	str("WAYBILL_ADDR", &c.Addr)
	str("WAYBILL_DATABASE_URL", &c.DatabaseURL)
	str("WAYBILL_BOOTSTRAP_API_KEY", &c.BootstrapAPIKey)
	str("WAYBILL_PUBLIC_URL", &c.PublicURL)
	str("WAYBILL_LOG_LEVEL", &c.LogLevel)
	str("WAYBILL_PPROF_ADDR", &c.PprofAddr)
	str("WAYBILL_REDIS_URL", &c.RedisURL)
	str("WAYBILL_LOG_FORMAT", &c.LogFormat)
	str("WAYBILL_WEBHOOK_RETRY_SCHEDULE", &c.WebhookRetrySchedule)
	str("WAYBILL_SMTP_URL", &c.SMTPURL)
	str("WAYBILL_MAIL_FROM", &c.MailFrom)
	str("WAYBILL_SMS_URL", &c.SMSURL)
	str("WAYBILL_SMS_ACCOUNT_SID", &c.SMSAccountSID)
	str("WAYBILL_SMS_AUTH_TOKEN", &c.SMSAuthToken)
	str("WAYBILL_SMS_FROM", &c.SMSFrom)
	str("WAYBILL_SECRET_KEY", &c.SecretKey)
	str("WAYBILL_CARRIER_UPS_URL", &c.CarrierUPSURL)
	str("WAYBILL_CARRIER_FEDEX_URL", &c.CarrierFedExURL)
	str("WAYBILL_CARRIER_USPS_URL", &c.CarrierUSPSURL)
	str("WAYBILL_CARRIER_DHL_URL", &c.CarrierDHLURL)
	str("WAYBILL_CARRIER_RATES", &c.CarrierRates)
	num("WAYBILL_POLL_SCALE", &c.PollScale)
	integer("WAYBILL_MAX_BODY_BYTES", &c.MaxBodyBytes)
	num("WAYBILL_RATE_LIMIT_V4", &c.RateLimitLegacy)
	num("WAYBILL_RATE_LIMIT_SCALE", &c.RateLimitScale)
	var authFailures = int64(c.AuthFailuresPerMinute)
	integer("WAYBILL_AUTH_FAILURES_PER_MINUTE", &authFailures)
	c.AuthFailuresPerMinute = int(authFailures)
	var workers = int64(c.Workers)
	integer("WAYBILL_WORKERS", &workers)
	c.Workers = int(workers)
	duration := func(name string, dst *time.Duration) {
		if v := getenv(name); v != "" {
			d, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a duration", name, v))
			}
			*dst = d
		}
	}
	duration("WAYBILL_SHUTDOWN_TIMEOUT", &c.ShutdownTimeout)
	duration("WAYBILL_DATABASE_WARMUP", &c.DatabaseWarmup)
	duration("WAYBILL_WEBHOOK_TIMEOUT", &c.WebhookTimeout)
	duration("WAYBILL_CLAIM_LEASE", &c.ClaimLease)
	duration("WAYBILL_SANDBOX_STEP", &c.SandboxStep)
	var webhookWorkers = int64(c.WebhookWorkers)
	integer("WAYBILL_WEBHOOK_WORKERS", &webhookWorkers)
	c.WebhookWorkers = int(webhookWorkers)
	var readLoops = int64(c.ReadBatchLoops)
	integer("WAYBILL_READ_BATCH_LOOPS", &readLoops)
	c.ReadBatchLoops = int(readLoops)
	var inboundWorkers = int64(c.InboundWorkers)
	integer("WAYBILL_INBOUND_WORKERS", &inboundWorkers)
	c.InboundWorkers = int(inboundWorkers)
	if v := getenv("WAYBILL_WEBHOOK_ALLOW_PRIVATE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("WAYBILL_WEBHOOK_ALLOW_PRIVATE: %q is not true or false", v))
		}
		c.WebhookAllowPrivate = b
	}
	if getenv("WAYBILL_PUBLIC_URL") == "" {
		c.PublicURL = PublicURLFor(c.Addr)
	}
	if err := errors.Join(errs...); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// PublicURLFor is the base URL of links when WAYBILL_PUBLIC_URL is unset:
// the listen address over http, with localhost for an address that listens
// on every interface (":8080" gives http://localhost:8080,
// "127.0.0.1:18182" gives http://127.0.0.1:18182). An address it cannot
// split gives Default's URL.
func PublicURLFor(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return Default().PublicURL
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// LoadEnv is Load on the process environment.
func LoadEnv() (Config, error) { return Load(os.Getenv) }

// Validate rejects settings that cannot work together.
func (c Config) Validate() error {
	var errs []error
	if c.Addr == "" {
		errs = append(errs, errors.New("WAYBILL_ADDR must not be empty"))
	}
	if _, _, err := ParseDatabaseURL(c.DatabaseURL); err != nil {
		errs = append(errs, err)
	}
	if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("WAYBILL_PUBLIC_URL: %q must be an absolute http(s) URL", c.PublicURL))
	}
	if c.MaxBodyBytes < 1024 {
		errs = append(errs, errors.New("WAYBILL_MAX_BODY_BYTES must be at least 1024"))
	}
	if c.RateLimitLegacy < 0 || c.RateLimitScale < 0 || c.AuthFailuresPerMinute < 0 {
		errs = append(errs, errors.New("rate limits must not be negative"))
	}
	if c.RedisURL != "" {
		if _, err := redis.ParseURL(c.RedisURL); err != nil {
			errs = append(errs, fmt.Errorf("WAYBILL_REDIS_URL: %q: %v", Mask(c.RedisURL), err))
		}
	}
	if c.Workers < 1 {
		errs = append(errs, errors.New("WAYBILL_WORKERS must be at least 1"))
	}
	// 0 webhook workers: this instance stores deliveries and attempts
	// none (another instance, or this one restarted, delivers them).
	if c.WebhookWorkers < 0 {
		errs = append(errs, errors.New("WAYBILL_WEBHOOK_WORKERS must not be negative"))
	}
	if c.DatabaseWarmup < 0 || c.DatabaseWarmup > maxDatabaseWarmup {
		errs = append(errs, fmt.Errorf("WAYBILL_DATABASE_WARMUP must be 0 to %v", maxDatabaseWarmup))
	}
	if c.ReadBatchLoops < 1 || c.ReadBatchLoops > MaxReadBatchLoops {
		errs = append(errs, fmt.Errorf("WAYBILL_READ_BATCH_LOOPS must be 1 to %d", MaxReadBatchLoops))
	}
	if c.InboundWorkers < 0 || c.InboundWorkers > 256 {
		errs = append(errs, errors.New("WAYBILL_INBOUND_WORKERS must be 0 to 256"))
	}
	if c.WebhookTimeout < 100*time.Millisecond || c.SandboxStep < 10*time.Millisecond {
		errs = append(errs, errors.New("WAYBILL_WEBHOOK_TIMEOUT must be at least 100ms and WAYBILL_SANDBOX_STEP at least 10ms"))
	}
	// An attempt must end well within the queue's job timeout (75 s,
	// internal/queue/rescue.go), after which a job is cancelled.
	if c.WebhookTimeout > maxWebhookTimeout {
		errs = append(errs, fmt.Errorf("WAYBILL_WEBHOOK_TIMEOUT must be at most %v", maxWebhookTimeout))
	}
	// Work is cancelled within the lease (its timeouts shrink with it),
	// so a webhook attempt must fit in a third of it.
	if c.ClaimLease < minClaimLease || c.ClaimLease > MaxClaimLease {
		errs = append(errs, fmt.Errorf("WAYBILL_CLAIM_LEASE must be %v to %v", minClaimLease, MaxClaimLease))
	} else if c.ClaimLease < MaxClaimLease && c.WebhookTimeout > c.ClaimLease/3 {
		errs = append(errs, fmt.Errorf("WAYBILL_WEBHOOK_TIMEOUT must be at most a third of WAYBILL_CLAIM_LEASE (%v)", c.ClaimLease/3))
	}
	if k := c.BootstrapAPIKey; k != "" && len(k) < 16 {
		errs = append(errs, errors.New("WAYBILL_BOOTSTRAP_API_KEY must be at least 16 characters"))
	}
	errs = append(errs, c.validateNotifications()...)
	errs = append(errs, c.validateCarriers()...)
	if _, err := c.SecretBox(); err != nil {
		errs = append(errs, err)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("WAYBILL_LOG_LEVEL: %q is not debug, info, warn or error", c.LogLevel))
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		errs = append(errs, fmt.Errorf("WAYBILL_LOG_FORMAT: %q is not text or json", c.LogFormat))
	}
	return errors.Join(errs...)
}

// SecretBox returns the sealer of WAYBILL_SECRET_KEY; a Box without keys
// when it is unset.
func (c Config) SecretBox() (*secretbox.Box, error) { return secretbox.Parse(c.SecretKey) }

// ParseDatabaseURL splits a WAYBILL_DATABASE_URL into its engine ("sqlite"
// or "postgres") and the driver's data source.
func ParseDatabaseURL(raw string) (engine, source string, err error) {
	switch {
	case strings.HasPrefix(raw, "sqlite:"):
		path := strings.TrimPrefix(strings.TrimPrefix(raw, "sqlite:"), "//")
		if path == "" {
			return "", "", errors.New("WAYBILL_DATABASE_URL: sqlite: needs a file path")
		}
		return "sqlite", path, nil
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		return "postgres", raw, nil
	}
	return "", "", fmt.Errorf("WAYBILL_DATABASE_URL: %q must start with sqlite: or postgres://", Mask(raw))
}

// Dump returns the settings as name=value lines with secrets masked, for
// start-up logs and `waybill config`.
func (c Config) Dump() []string {
	return []string{
		"WAYBILL_ADDR=" + c.Addr,
		"WAYBILL_DATABASE_URL=" + Mask(c.DatabaseURL),
		"WAYBILL_BOOTSTRAP_API_KEY=" + maskSecret(c.BootstrapAPIKey),
		"WAYBILL_PUBLIC_URL=" + c.PublicURL,
		"WAYBILL_LOG_LEVEL=" + c.LogLevel,
		"WAYBILL_LOG_FORMAT=" + c.LogFormat,
		"WAYBILL_PPROF_ADDR=" + c.PprofAddr,
		"WAYBILL_MAX_BODY_BYTES=" + strconv.FormatInt(c.MaxBodyBytes, 10),
		"WAYBILL_SHUTDOWN_TIMEOUT=" + c.ShutdownTimeout.String(),
		"WAYBILL_DATABASE_WARMUP=" + c.DatabaseWarmup.String(),
		"WAYBILL_READ_BATCH_LOOPS=" + strconv.Itoa(c.ReadBatchLoops),
		"WAYBILL_RATE_LIMIT_V4=" + strconv.FormatFloat(c.RateLimitLegacy, 'g', -1, 64),
		"WAYBILL_RATE_LIMIT_SCALE=" + strconv.FormatFloat(c.RateLimitScale, 'g', -1, 64),
		"WAYBILL_AUTH_FAILURES_PER_MINUTE=" + strconv.Itoa(c.AuthFailuresPerMinute),
		"WAYBILL_REDIS_URL=" + Mask(c.RedisURL),
		"WAYBILL_WORKERS=" + strconv.Itoa(c.Workers),
		"WAYBILL_WEBHOOK_ALLOW_PRIVATE=" + strconv.FormatBool(c.WebhookAllowPrivate),
		"WAYBILL_WEBHOOK_RETRY_SCHEDULE=" + c.WebhookRetrySchedule,
		"WAYBILL_WEBHOOK_WORKERS=" + strconv.Itoa(c.WebhookWorkers),
		"WAYBILL_WEBHOOK_TIMEOUT=" + c.WebhookTimeout.String(),
		"WAYBILL_CLAIM_LEASE=" + c.ClaimLease.String(),
		"WAYBILL_INBOUND_WORKERS=" + strconv.Itoa(c.InboundWorkers),
		"WAYBILL_SANDBOX_STEP=" + c.SandboxStep.String(),
		"WAYBILL_SMTP_URL=" + Mask(c.SMTPURL),
		"WAYBILL_MAIL_FROM=" + c.MailFrom,
		"WAYBILL_SMS_URL=" + c.SMSURL,
		"WAYBILL_SMS_ACCOUNT_SID=" + c.SMSAccountSID,
		"WAYBILL_SMS_AUTH_TOKEN=" + maskSecret(c.SMSAuthToken),
		"WAYBILL_SMS_FROM=" + c.SMSFrom,
		"WAYBILL_SECRET_KEY=" + maskAll(c.SecretKey),
		"WAYBILL_POLL_SCALE=" + strconv.FormatFloat(c.PollScale, 'g', -1, 64),
		"WAYBILL_CARRIER_UPS_URL=" + c.CarrierUPSURL,
		"WAYBILL_CARRIER_FEDEX_URL=" + c.CarrierFedExURL,
		"WAYBILL_CARRIER_USPS_URL=" + c.CarrierUSPSURL,
		"WAYBILL_CARRIER_DHL_URL=" + c.CarrierDHLURL,
		"WAYBILL_CARRIER_RATES=" + c.CarrierRates,
	}
}

// Mask hides the password of a database URL.
func Mask(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// maskAll hides a value entirely, showing only whether it is set.
func maskAll(s string) string {
	if s == "" {
		return ""
	}
	return "xxxxx"
}

func maskSecret(s string) string {
	if s == "" {
		return ""
	}
	if len(s) <= 8 {
		return "xxxxx"
	}
	return s[:4] + "xxxxx"
}
