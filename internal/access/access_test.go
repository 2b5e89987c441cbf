package access

import "testing"

func TestCan(t *testing.T) {
	mod := Actor{UserID: 1, Roles: map[int64]Role{1: Moderator}}
	cases := []struct {
		name      string
		actor     Actor
		territory int64
		min       Role
		want      bool
	}{
		{"anonymous is nobody", Actor{}, 1, Member, false},
		{"moderator is a member", mod, 1, Member, true},
		{"moderator is an organiser", mod, 1, Organiser, true},
		{"moderator is not an admin", mod, 1, Admin, false},
		{"moderator of one territory is nobody in another", mod, 2, Member, false},
		{"platform admin is admin everywhere", Actor{UserID: 2, PlatformAdmin: true}, 7, Admin, true},
		{"system is admin everywhere", SystemActor(), 7, Admin, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.actor.Can(tc.territory, tc.min); got != tc.want {
				t.Fatalf("Can(%d, %s) = %v, want %v", tc.territory, tc.min, got, tc.want)
			}
		})
	}
	if err := (Actor{}).Require(1, Member); err == nil {
		t.Fatal("anonymous passed Require")
	}
}
