package account

import (
	"fmt"

	"github.com/sharingcity/sharingcity/internal/mail"
)

// Mail texts live here rather than in the web layer's message files: they
// are short, few, and must be sent even from the CLI. Each has a French and
// an English version; anything else falls back to French, the default.

func greeting(lang, name string) string {
	if lang == "en" {
		if name == "" {
			return "Hello,"
		}
		return "Hello " + name + ","
	}
	if name == "" {
		return "Bonjour,"
	}
	return "Bonjour " + name + ","
}

func verifyMail(u *User, link string, ttlHours int) mail.Message {
	if u.Lang == "en" {
		return mail.Message{To: u.Email, Subject: "Confirm your e-mail address", Body: fmt.Sprintf(`%s

To confirm your e-mail address on Sharing City, open this link:

%s

The link is valid for %d hours and works once. If you did not create an
account, ignore this message.
`, greeting("en", u.DisplayName), link, ttlHours)}
	}
	return mail.Message{To: u.Email, Subject: "Confirmez votre adresse e-mail", Body: fmt.Sprintf(`%s

Pour confirmer votre adresse e-mail sur Sharing City, ouvrez ce lien :

%s

Le lien est valable %d heures et ne sert qu'une fois. Si vous n'avez pas
créé de compte, ignorez ce message.
`, greeting("fr", u.DisplayName), link, ttlHours)}
}

func resetMail(u *User, lang, link string, ttlMinutes int) mail.Message {
	if lang == "en" {
		return mail.Message{To: u.Email, Subject: "Reset your password", Body: fmt.Sprintf(`%s

Someone (probably you) asked to reset the password of your Sharing City
account. To choose a new password, open this link:

%s

The link is valid for %d minutes and works once. If you did not ask for
it, ignore this message: your password stays the same.
`, greeting("en", u.DisplayName), link, ttlMinutes)}
	}
	return mail.Message{To: u.Email, Subject: "Réinitialisez votre mot de passe", Body: fmt.Sprintf(`%s

Quelqu'un (sans doute vous) a demandé à réinitialiser le mot de passe de
votre compte Sharing City. Pour en choisir un nouveau, ouvrez ce lien :

%s

Le lien est valable %d minutes et ne sert qu'une fois. Si vous n'avez rien
demandé, ignorez ce message : votre mot de passe ne change pas.
`, greeting("fr", u.DisplayName), link, ttlMinutes)}
}
