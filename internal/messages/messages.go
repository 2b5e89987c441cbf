// Package messages carries the private messages between members: a
// conversation between two members about a subject (a listing, later a
// carpool trip), unread counts for the header badge, blocking, reports to
// the territory's moderators, and grouped e-mail notifications sent by a
// periodic background job.
package messages

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/errs"
)

// Limits on what members write.
const (
	MaxBody       = 5000 // characters of one message
	MaxReason     = 2000 // characters of a report's reason or resolution
	previewLength = 140  // characters of a message shown in the inbox and e-mails
)

// Conversation is the thread between two members about one subject. The
// member who wrote first is the starter; the subject's owner is the other.
type Conversation struct {
	ID            int64     `json:"id"`
	TerritoryID   int64     `json:"-"`
	SubjectKind   string    `json:"subject_kind"`
	SubjectID     int64     `json:"subject_id"`
	SubjectTitle  string    `json:"subject_title"`
	StarterID     int64     `json:"starter_id"`
	OwnerID       int64     `json:"owner_id"`
	CreatedAt     time.Time `json:"created_at"`
	LastMessageID int64     `json:"last_message_id"`
	LastMessageAt time.Time `json:"last_message_at"`
}

// Has reports whether userID takes part in the conversation.
func (c *Conversation) Has(userID int64) bool {
	return userID != 0 && (c.StarterID == userID || c.OwnerID == userID)
}

// Other returns the participant who is not userID.
func (c *Conversation) Other(userID int64) int64 {
	if c.StarterID == userID {
		return c.OwnerID
	}
	return c.StarterID
}

// Message is one message of a conversation. Body is plain text: pages
// escape it. A message removed by a moderator keeps its row with Removed
// set; participants then see it without its body.
type Message struct {
	ID             int64     `json:"id"`
	ConversationID int64     `json:"conversation_id"`
	TerritoryID    int64     `json:"-"`
	SenderID       int64     `json:"sender_id"`
	Body           string    `json:"body"`
	CreatedAt      time.Time `json:"created_at"`
	Removed        bool      `json:"removed,omitempty"`
}

// InboxEntry is one line of a member's inbox.
type InboxEntry struct {
	Conversation
	OtherID      int64 `json:"other_id"`
	Unread       int   `json:"unread"`
	LastSenderID int64 `json:"last_sender_id"`
	// Preview is the start of the last message, on one line; empty when a
	// moderator removed it.
	Preview string `json:"preview"`
}

// Thread is a conversation with its messages, oldest first, as one of its
// participants (or a moderator, through a report) sees it.
type Thread struct {
	Conversation *Conversation `json:"conversation"`
	Messages     []Message     `json:"messages"`
	// OtherID is the participant who is not the viewer (for a moderator:
	// the owner of the subject).
	OtherID int64 `json:"other_id"`
	// Blocked is set when either participant blocked the other: the page
	// offers no reply form.
	Blocked bool `json:"blocked"`
	// Truncated is set when older messages were left out.
	Truncated bool `json:"truncated,omitempty"`
}

// Report is a message flagged by a participant for the moderators.
type Report struct {
	ID             int64      `json:"id"`
	TerritoryID    int64      `json:"-"`
	MessageID      int64      `json:"message_id"`
	ConversationID int64      `json:"conversation_id"`
	ReporterID     int64      `json:"reporter_id"`
	Reason         string     `json:"reason"`
	CreatedAt      time.Time  `json:"created_at"`
	ResolvedAt     *time.Time `json:"resolved_at,omitempty"`
	ResolvedBy     int64      `json:"resolved_by,omitempty"`
	Resolution     string     `json:"resolution,omitempty"`
	// Message is the reported message, body included even when removed.
	Message Message `json:"message"`
}

// NotificationState is a member's e-mail digest state.
type NotificationState struct {
	UserID       int64
	PendingSince *time.Time // set while unread messages wait for a digest
	LastSentAt   *time.Time
	NotifiedUpto int64 // highest message id listed in a digest
}

// cleanText normalises what a member typed: line ends become "\n", control
// characters other than newline and tab are dropped (they hide text or
// break terminals and e-mail), and so are invisible format characters such
// as bidirectional overrides, which disguise text, except the zero-width
// joiners that emoji and some scripts need. Surrounding blanks are trimmed.
func cleanText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if unicode.IsControl(r) || r == utf8.RuneError || (unicode.Is(unicode.Cf, r) && r != '\u200c' && r != '\u200d') {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// checkText cleans s and checks it is 1..max characters long.
func checkText(field, s string, max int) (string, error) {
	s = cleanText(s)
	var v errs.Validator
	v.Check(s != "", field, "err.required")
	v.Check(utf8.RuneCountInString(s) <= max, field, "err.too_long", "Max", max)
	return s, v.Err()
}

// preview shortens a body to one line of at most previewLength characters.
func preview(body string) string {
	body = strings.Join(strings.Fields(body), " ")
	if utf8.RuneCountInString(body) <= previewLength {
		return body
	}
	r := []rune(body)
	return strings.TrimSpace(string(r[:previewLength-1])) + "…"
}
