module github.com/go-slim-image/hello

go 1.22
