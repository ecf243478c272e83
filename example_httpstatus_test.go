package identity_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"time"

	"github.com/idport/identity"
)

// userHandler is an application's own API over a directory: GET
// /users/{id} answers the user, or the status HTTPStatus gives the error
// with the code and the field at fault, which is all a client should see
// of a 4xx; a 5xx goes to the server's log instead.
func userHandler(dir *identity.Directory) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /users/{id}", func(w http.ResponseWriter, r *http.Request) {
		u, err := dir.GetUser(r.Context(), r.PathValue("id"))
		if err != nil {
			status := identity.HTTPStatus(err)
			var e *identity.Error
			if errors.As(err, &e) && e.RetryAfter > 0 {
				w.Header().Set("Retry-After", strconv.Itoa(int((e.RetryAfter+time.Second-1)/time.Second)))
			}
			body := map[string]string{"error": http.StatusText(status)}
			if status < 500 && e != nil {
				body = map[string]string{"code": e.Code.String(), "field": e.Field}
			} else {
				log.Printf("GET /users: %v", err)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_ = json.NewEncoder(w).Encode(body)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"email": u.Email})
	})
	return mux
}

// An HTTP API answers each error with the status HTTPStatus maps its
// code to: here a user, a missing one, a malformed id, and a directory
// closed under a server that is shutting down.
func ExampleHTTPStatus() {
	ctx := context.Background()
	dir, err := identity.Open(ctx, "memory://")
	if err != nil {
		log.Fatal(err)
	}
	ada, err := dir.CreateUser(ctx, identity.NewUser{Email: "ada@example.com"})
	if err != nil {
		log.Fatal(err)
	}
	h := userHandler(dir)
	get := func(id string) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/users/"+id, nil))
		var body map[string]string
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		fmt.Println(rec.Code, body)
	}
	get(ada.ID)
	get("nobody")
	get("a..b")
	dir.Close()
	get(ada.ID)
	// Output:
	// 200 map[email:ada@example.com]
	// 404 map[code:NotFound field:user]
	// 400 map[code:InvalidArgument field:id]
	// 503 map[error:Service Unavailable]
}
