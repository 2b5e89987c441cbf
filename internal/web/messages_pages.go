package web

import (
	"net/http"
	"strconv"

	"github.com/sharingcity/sharingcity/internal/messages"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Pages and JSON API of the caller's private messages: the inbox of a
// territory and one conversation, with a reply form and a block button.

func (s *Server) messageRoutes(page func(string, http.HandlerFunc)) {
	page("GET /t/{slug}/messages", s.inboxPage)
	page("GET /t/{slug}/messages/{id}", s.conversationPage)
	page("POST /t/{slug}/messages/{id}", s.replyPage)
	page("POST /t/{slug}/messages/{id}/block", s.blockPage)
	page("POST /t/{slug}/messages/blocked/{id}/unblock", s.unblockPage)
}

func conversationURL(ter *territory.Territory, id int64) string {
	return "/t/" + ter.Slug + "/messages/" + strconv.FormatInt(id, 10)
}

func (s *Server) inboxPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "offw.inbox_title")
	if !ok {
		return
	}
	if err := p.Actor.RequireUser(); err != nil {
		s.renderError(w, r, err)
		return
	}
	list, err := s.Messages.Inbox(r.Context(), p.Actor, p.Territory)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	blocked, err := s.Messages.BlockedMembers(r.Context(), p.Actor)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p.Data = inboxView{Conversations: list, Blocked: blocked}
	s.render(w, r, http.StatusOK, "inbox", p)
}

// inboxView is the inbox with the members the caller blocked, so that a
// block can be undone where it shows its effect.
type inboxView struct {
	Conversations []messages.InboxEntry
	Blocked       []int64
}

// unblockPage lifts the caller's block of member {id}.
func (s *Server) unblockPage(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return
	}
	err := s.Messages.Unblock(r.Context(), p.Actor, p.Territory, id)
	s.done(w, r, err, p.L.T("offw.unblocked"), "/t/"+p.Territory.Slug+"/messages")
}

type conversationView struct {
	T      *messages.Thread
	UserID int64
}

func (s *Server) conversationPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "offw.conversation_title")
	if !ok {
		return
	}
	if err := p.Actor.RequireUser(); err != nil {
		s.renderError(w, r, err)
		return
	}
	id, err := pagePathID(r, "id")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	th, err := s.Messages.Conversation(r.Context(), p.Actor, p.Territory, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	p.Title = th.Conversation.SubjectTitle
	p.Unread = 0 // reading the conversation marked it read; the count was taken before
	if n, err := s.Messages.UnreadCount(r.Context(), p.Actor, p.Territory); err == nil {
		p.Unread = n
	}
	p.Data = conversationView{T: th, UserID: p.Actor.UserID}
	s.render(w, r, http.StatusOK, "conversation", p)
}

func (s *Server) replyPage(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return
	}
	_, err := s.Messages.Send(r.Context(), p.Actor, p.Territory, id, r.PostForm.Get("body"))
	s.done(w, r, err, p.L.T("offw.message_sent"), conversationURL(p.Territory, id))
}

func (s *Server) blockPage(w http.ResponseWriter, r *http.Request) {
	p, id, ok := s.pagePost(w, r)
	if !ok {
		return
	}
	th, err := s.Messages.Conversation(r.Context(), p.Actor, p.Territory, id)
	if err == nil {
		err = s.Messages.Block(r.Context(), p.Actor, p.Territory, th.OtherID)
	}
	s.done(w, r, err, p.L.T("offw.blocked"), conversationURL(p.Territory, id))
}

func (s *Server) apiMessageAbout(w http.ResponseWriter, r *http.Request) {
	var in messageInput
	s.apiWrite(w, r, http.StatusCreated, &in, func(ter *territory.Territory, id int64) (any, error) {
		return s.Messages.SendAbout(r.Context(), actorFrom(r.Context()), ter, "listing", id, in.Body)
	})
}

func (s *Server) apiInbox(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		list, err := s.Messages.Inbox(r.Context(), actorFrom(r.Context()), ter)
		if err != nil {
			return nil, err
		}
		if list == nil {
			list = []messages.InboxEntry{}
		}
		return map[string]any{"conversations": list}, nil
	})
}

func (s *Server) apiConversation(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		return s.Messages.Conversation(r.Context(), actorFrom(r.Context()), ter, id)
	})
}

func (s *Server) apiSendMessage(w http.ResponseWriter, r *http.Request) {
	var in messageInput
	s.apiWrite(w, r, http.StatusCreated, &in, func(ter *territory.Territory, id int64) (any, error) {
		return s.Messages.Send(r.Context(), actorFrom(r.Context()), ter, id, in.Body)
	})
}
