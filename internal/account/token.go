package account

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// Token purposes in email_tokens.
const (
	purposeVerify = "verify"
	purposeReset  = "reset"
)

// APITokenPrefix marks personal API tokens, so that secret scanners and
// people recognise a leaked one.
const APITokenPrefix = "sc_"

// newSecret returns 32 random bytes, base64url without padding.
func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("account: random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// hashSecret is what the database keeps of a token: a stolen database
// gives no usable token. A plain SHA-256 suffices because the secret
// carries 256 bits of entropy (no dictionary to try).
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
