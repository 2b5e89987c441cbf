package messages

import (
	"fmt"
	"strings"

	"github.com/sharingcity/sharingcity/internal/mail"
)

// Mail texts live here, like account's: short, few, in French (the
// default) and English, and sent by a background job with no page around.

type digestLine struct {
	Sender  string
	Subject string
	Preview string
}

func digestMail(to, name, lang string, lines []digestLine, total int, links []string, intervalMinutes int) mail.Message {
	var b strings.Builder
	en := lang == "en"
	m := mail.Message{To: to}
	switch {
	case en && total == 1:
		m.Subject = "You have a new message on Sharing City"
	case en:
		m.Subject = fmt.Sprintf("You have %d new messages on Sharing City", total)
	case total == 1:
		m.Subject = "Vous avez un nouveau message sur Sharing City"
	default:
		m.Subject = fmt.Sprintf("Vous avez %d nouveaux messages sur Sharing City", total)
	}
	greet := "Bonjour"
	if en {
		greet = "Hello"
	}
	if name != "" {
		greet += " " + name
	}
	b.WriteString(greet + ",\n\n")
	if en {
		b.WriteString("Members wrote to you:\n\n")
	} else {
		b.WriteString("Des membres vous ont écrit :\n\n")
	}
	for _, l := range lines {
		sender := l.Sender
		if sender == "" {
			sender = map[bool]string{true: "A member", false: "Un membre"}[en]
		}
		if en {
			fmt.Fprintf(&b, "- %s, about “%s”:\n  %s\n\n", sender, l.Subject, l.Preview)
		} else {
			fmt.Fprintf(&b, "- %s, à propos de « %s » :\n  %s\n\n", sender, l.Subject, l.Preview)
		}
	}
	if more := total - len(lines); more > 0 {
		if en {
			fmt.Fprintf(&b, "… and %d more.\n\n", more)
		} else {
			fmt.Fprintf(&b, "… et %d de plus.\n\n", more)
		}
	}
	if en {
		b.WriteString("Read and answer them in your inbox:\n")
	} else {
		b.WriteString("Lisez-les et répondez dans votre messagerie :\n")
	}
	for _, l := range links {
		b.WriteString(l + "\n")
	}
	if en {
		fmt.Fprintf(&b, "\nYou get at most one such e-mail every %d minutes, and none when you have\nread your messages on the site in the meantime.\n", intervalMinutes)
	} else {
		fmt.Fprintf(&b, "\nVous recevez au plus un e-mail de ce genre toutes les %d minutes, et aucun\nsi vous avez lu vos messages sur le site entre-temps.\n", intervalMinutes)
	}
	m.Body = b.String()
	return m
}
